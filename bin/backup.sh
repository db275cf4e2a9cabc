#!/usr/bin/env bash
# Back up a QMS site: the database (pg_dump, custom format) and the stored files
# (the local media folder, or the S3 bucket with the AWS CLI / `mc mirror`).
#   bin/backup.sh <backup-folder>
# Needs DATABASE_URL; MEDIA_ROOT (local files) or AWS_STORAGE_BUCKET_NAME (S3).
# Restore: see docs/deployment.md "Backup and restore" (bin/restore.sh).
set -euo pipefail
dest=${1:?usage: bin/backup.sh <backup-folder>}
mkdir -p "$dest"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
pg_dump --format=custom --no-owner --no-privileges --file "$dest/qms-$stamp.dump" "${DATABASE_URL:?set DATABASE_URL}"
if [ -n "${AWS_STORAGE_BUCKET_NAME:-}" ]; then
  echo "Files are in s3://$AWS_STORAGE_BUCKET_NAME: copy them with your object store's tools, e.g."
  echo "  aws s3 sync s3://$AWS_STORAGE_BUCKET_NAME $dest/files-$stamp ${AWS_S3_ENDPOINT_URL:+--endpoint-url $AWS_S3_ENDPOINT_URL}"
else
  tar -C "${MEDIA_ROOT:-media}" -cf "$dest/files-$stamp.tar" .
fi
echo "Backed up to $dest (qms-$stamp.dump${AWS_STORAGE_BUCKET_NAME:+}, files-$stamp)"
