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
media=$(mktemp -d)
chmod 555 "$media"
export QMS_TEST_MEDIA_ROOT="$media"
# The tests that touch stored files: uploads, evidence, PDFs, jobs' outputs, packs.
# Not the ones that set up their own storage (object storage, multi-node,
# backup/restore, static files), the browser tests, nor the walks over every
# URL, form and operation (the state walk, the form and query-parameter fuzzers,
# the API walk and Schemathesis): they upload files on their way through every
# POST, but what they check is states and input validation, not storage, and
# they were about half of this pass's time.
skip=(-e '^tests/e2e/' -e test_object_storage -e test_multinode -e test_backup_restore -e test_static_production
      -e test_state_walk -e tests/qms/test_fuzz_forms.py -e tests/qms/test_fuzz_params.py -e tests/api/test_walk.py
      -e tests/api/test_schemathesis.py)
args=$(mktemp)
trap 'kill "$QMS_S3_SERVER_PID" 2>/dev/null || true; chmod -R u+w "$media" 2>/dev/null; rm -rf "$media" "$args"' EXIT
if [ -n "${QMS_STORAGE_USE_LOG:-}" ] && compgen -G "$QMS_STORAGE_USE_LOG/*.txt" >/dev/null; then
  # What `make test` saw (tests/storage_use.py): each test that saved, opened or
  # listed a stored file, by node id.
  sort -u "$QMS_STORAGE_USE_LOG"/*.txt | grep -v "${skip[@]}" > "$args" || true
  files=()
  mapfile -t files < "$args"
  source="the tests that touched stored files in the main pass"
else
  # No record of a main pass: every test file that names a way of storing a file.
  grep -lE "default_storage|pdf_upload|evidence=|SimpleUploadedFile|request_job|execute\((job|delivery)|[(, ]media[,)]" \
    -r tests --include='test_*.py' | grep -v "${skip[@]}" | sort > "$args"
  mapfile -t files < "$args"
  source="the test files that name a way of storing a file"
fi
if [ "${#files[@]}" -eq 0 ]; then
  echo "object-storage pass: no test to run (an empty record of the main pass?)" >&2
  exit 1
fi
echo "object-storage pass: ${#files[@]} of $source, S3 at $QMS_TEST_S3_ENDPOINT, media folder read-only"
eval "$($PY bin/services.py test)"
.venv/bin/pytest -q -n "${QMS_TEST_S3_WORKERS:-2}" -p no:cacheprovider --durations=40 "$@" "@$args"
if [ -n "$(find "$media" -mindepth 1 -print -quit)" ]; then
  echo "object-storage pass: files were written to the local media folder:" >&2
  find "$media" -mindepth 1 >&2
  exit 1
fi
echo "object-storage pass: nothing written to the local media folder"
