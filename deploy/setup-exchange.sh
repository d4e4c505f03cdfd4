#!/bin/sh
# nbgrader's exchange for one course: deploy/setup-exchange.sh INSTRUCTOR
# Run as root after deploy/add-user.sh INSTRUCTOR instructor. Idempotent.
#   <exchange>                1777 root   nbgrader wants it world-writable; the sticky bit
#                                         stops anyone renaming or deleting another's folder
#   <exchange>/<course>        755 instructor:instructors   only the instructor releases
#   .../outbound               755 instructor:instructors   released units: everyone reads
#   .../inbound               3733 instructor:instructors   trainees drop submissions in;
#                                         nobody but the instructor can list it; set-group-id,
#                                         so each submission belongs to the instructors'
#                                         group, and autograders.exchange closes it to
#                                         everyone else (folders 2770, files 0640)
set -eu
instructor=${1:?usage: setup-exchange.sh INSTRUCTOR}
exchange=${CRM_EXCHANGE_ROOT:-/srv/nbgrader/exchange}
course=${CRM_COURSE_ID:-crm-course}
group=${CRM_INSTRUCTOR_GROUP:-crm-instructors}

install -d -m 1777 -o root -g root "$exchange"
install -d -m 0755 -o "$instructor" -g "$group" "$exchange/$course" "$exchange/$course/outbound"
install -d -m 3733 -o "$instructor" -g "$group" "$exchange/$course/inbound"
echo "setup-exchange.sh: $exchange/$course ready for $instructor"
