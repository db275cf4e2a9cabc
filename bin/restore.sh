#!/usr/bin/env bash
# Restore a QMS site from bin/backup.sh's output into an EMPTY database and media folder,
# then check every stored file against its recorded SHA-256.
#   bin/restore.sh <dump-file> <files.tar>
# Needs DATABASE_URL (an empty database) and MEDIA_ROOT (an empty folder).
set -euo pipefail
dump=${1:?usage: bin/restore.sh <dump-file> <files.tar>}
files=${2:?usage: bin/restore.sh <dump-file> <files.tar>}
pg_restore --no-owner --no-privileges --exit-on-error --dbname "${DATABASE_URL:?set DATABASE_URL}" "$dump"
mkdir -p "${MEDIA_ROOT:?set MEDIA_ROOT}"
tar -C "$MEDIA_ROOT" -xf "$files"
python manage.py migrate --noinput  # a newer release's migrations, if any
python manage.py verify_files
