#!/bin/sh
# The container's entrypoint: runs the emulator as the unprivileged `emulator` user. Started
# as root (the image default), it first gives /data to that user, so a bind-mounted host
# folder owned by root works; started as another user (`docker run --user`), it runs as is.
set -eu
if [ "$(id -u)" = "0" ]; then
  chown -R emulator:emulator /data 2>/dev/null || true
  exec setpriv --reuid=emulator --regid=emulator --init-groups /usr/local/bin/descope-emulator "$@"
fi
exec /usr/local/bin/descope-emulator "$@"
