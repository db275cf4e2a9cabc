"""An S3-compatible server on loopback for the object-storage tests: moto in
server mode (a real HTTP server speaking the S3 API), with a private bucket."""

from __future__ import annotations

import contextlib

from tests.celery_utils import free_port

BUCKET = "qms-test-files"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "qms-test", "AWS_SECRET_ACCESS_KEY": "qms-test-secret",
               "AWS_DEFAULT_REGION": "us-east-1"}


def s3_storages(endpoint: str, base: dict) -> dict:
    """settings.STORAGES with the default storage on the bucket (the same options
    qms/settings.py builds from AWS_STORAGE_BUCKET_NAME)."""
    return {**base, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": BUCKET, "endpoint_url": endpoint, "region_name": "us-east-1", "default_acl": "private",
        "file_overwrite": False, "querystring_auth": True, "signature_version": "s3v4", "addressing_style": "path",
        "access_key": CREDENTIALS["AWS_ACCESS_KEY_ID"], "secret_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"]}}}


@contextlib.contextmanager
def s3_server():
    """(endpoint URL, boto3 client) of a fresh moto server with the bucket created."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                              aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
        client.create_bucket(Bucket=BUCKET)
        yield endpoint, client
    finally:
        server.stop()
