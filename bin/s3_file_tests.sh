#!/usr/bin/env bash
# The object-storage pass (issue 21): every test that stores or reads a file,
# run with S3 storage (a moto server on loopback) and the local media folder
# made read-only, then checked empty (root ignores the mode, so the check is
# what proves nothing was written there). CI runs it after `make test`.
#   bin/s3_file_tests.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
eval "$($PY bin/s3_test_server.py --port "${QMS_TEST_S3_PORT:-5930}")"
trap 'kill "$QMS_S3_SERVER_PID" 2>/dev/null || true; chmod -R u+w "$media" 2>/dev/null; rm -rf "$media"' EXIT
media=$(mktemp -d)
chmod 555 "$media"
export QMS_TEST_MEDIA_ROOT="$media"
# The tests that touch stored files: uploads, evidence, PDFs, jobs' outputs, packs.
# Not the ones that set up their own storage (object storage, multi-node,
# backup/restore, static files) nor the browser tests.
mapfile -t files < <(grep -lE "default_storage|pdf_upload|evidence=|SimpleUploadedFile|request_job|execute\(|\bmedia\b" \
  -r tests --include='test_*.py' | grep -v -e '^tests/e2e/' -e test_object_storage -e test_multinode \
  -e test_backup_restore -e test_static_production | sort)
echo "object-storage pass: ${#files[@]} test files, S3 at $QMS_TEST_S3_ENDPOINT, media folder read-only"
eval "$($PY bin/services.py test)"
.venv/bin/pytest -q -n "${QMS_TEST_S3_WORKERS:-2}" -p no:cacheprovider "$@" "${files[@]}"
if [ -n "$(find "$media" -mindepth 1 -print -quit)" ]; then
  echo "object-storage pass: files were written to the local media folder:" >&2
  find "$media" -mindepth 1 >&2
  exit 1
fi
echo "object-storage pass: nothing written to the local media folder"
