#!/bin/sh
# Create one class account: deploy/add-user.sh NAME trainee|instructor
# Run as root. Creates the groups the hub admits (CRM_TRAINEE_GROUP, default crm-trainees;
# CRM_INSTRUCTOR_GROUP, default crm-instructors) when missing, then the Linux account
# with its home folder. An instructor's primary group is the instructors' group, so the
# exchange's inbound folder (deploy/setup-exchange.sh) and every submission in it belong
# to that group; an instructor also gets the course folder ~/course (a copy of the
# project's course/: units and nbgrader_config.py), owner-only. Idempotent. Set the
# person's password afterwards with `passwd NAME` (the hub logs in with it, through PAM).
set -eu
name=${1:?usage: add-user.sh NAME trainee|instructor}
role=${2:?usage: add-user.sh NAME trainee|instructor}
trainees=${CRM_TRAINEE_GROUP:-crm-trainees}
instructors=${CRM_INSTRUCTOR_GROUP:-crm-instructors}
project=$(cd "$(dirname "$0")/.." && pwd)

getent group "$trainees" >/dev/null || groupadd "$trainees"
getent group "$instructors" >/dev/null || groupadd "$instructors"
case "$role" in
    trainee)    group=$trainees ;;
    instructor) group=$instructors ;;
    *) echo "add-user.sh: role must be trainee or instructor, got '$role'" >&2; exit 2 ;;
esac
if ! id "$name" >/dev/null 2>&1; then
    # no group of its own for a trainee either: its primary group is the class group
    useradd --create-home --shell /bin/bash --gid "$group" "$name"
fi
home=$(getent passwd "$name" | cut -d: -f6)
chmod 0700 "$home"                      # nobody else reads a trainee's work in progress
if [ "$role" = instructor ] && [ ! -d "$home/course" ]; then
    mkdir -p "$home/course"
    cp -R "$project/course/units" "$home/course/units"
    cp "$project/course/nbgrader_config.py" "$home/course/"
    chown -R "$name:$group" "$home/course"
    chmod 0700 "$home/course"
fi
echo "add-user.sh: $name ($role) ready; set a password with: passwd $name"
