"""Monitoring and measuring equipment and calibration (ISO 9001 7.1.5)."""
