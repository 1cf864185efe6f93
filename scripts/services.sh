#!/usr/bin/env bash
# Start the local PostgreSQL and MariaDB servers the tests use, if they are down.
# Safe to run repeatedly; prints one line per server and exits non-zero if one cannot be started.
set -u

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
maria_up() { mariadb-admin -uroot -h127.0.0.1 --protocol=tcp ping >/dev/null 2>&1 || mysqladmin -uroot -h127.0.0.1 --protocol=tcp ping >/dev/null 2>&1; }

wait_for() { for _ in $(seq 1 60); do "$1" && return 0; sleep 0.5; done; return 1; }

status=0
if pg_up; then echo "postgresql: up"; else
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start >/dev/null 2>&1 || true
  fi
  if wait_for pg_up; then echo "postgresql: started"; else echo "postgresql: cannot be started (is it installed?)"; status=1; fi
fi
if maria_up; then echo "mariadb: up"; else
  if [ -x /usr/sbin/mariadbd ]; then
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd >/dev/null 2>&1 || true
  fi
  if wait_for maria_up; then echo "mariadb: started"; else echo "mariadb: cannot be started (is it installed?)"; status=1; fi
fi
exit $status
