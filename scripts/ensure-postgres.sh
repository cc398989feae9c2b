#!/usr/bin/env bash
# Make sure the local Postgres the tests use is up (127.0.0.1:5432, user postgres, trust auth)
# and that the maintenance database the tests create their databases from exists.
set -euo pipefail
HOST=${BOT_TEST_PG_HOST:-127.0.0.1}
if ! pg_isready -q -h "$HOST" -p 5432; then
  echo "starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h "$HOST" -p 5432 && break; sleep 1; done
fi
pg_isready -h "$HOST" -p 5432
if ! psql -h "$HOST" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='bot_test'" postgres | grep -q 1; then
  psql -h "$HOST" -U postgres -c "CREATE DATABASE bot_test" postgres
fi
