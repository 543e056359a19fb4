#!/bin/sh
# inc hook: publish each event to an ntfy topic: the event as the message,
# the incident as the title, its severity as the priority.
# https://docs.ntfy.sh/publish/
#
# inc.yaml:
#   hooks:
#     - on: [opened, acknowledged, severity, update, resolved]
#       run: examples/hooks/ntfy.sh
#
# Environment:
#   NTFY_TOPIC  the topic (required)
#   NTFY_URL    the server, default https://ntfy.sh
#   NTFY_TOKEN  an access token, if the topic needs one
# Header values lose control characters and line breaks.
set -eu

: "${NTFY_TOPIC:?set NTFY_TOPIC to the ntfy topic}"
url=${NTFY_URL:-https://ntfy.sh}

header_value() { printf '%s' "$1" | tr -d '\000-\037\177'; }

case "${INC_SEVERITY:-}" in
SEV1 | sev1 | P1 | p1) priority=urgent ;;
SEV2 | sev2 | P2 | p2) priority=high ;;
*) priority=default ;;
esac
case "$INC_EVENT:${INC_STATUS:-}" in
*:resolved) tags=white_check_mark ;;
opened:* | page:*) tags=rotating_light ;;
*) tags=information_source ;;
esac

set -- -H "Title: $(header_value "[${INC_SEVERITY:-no severity}] ${INC_TITLE:-$INC_ID}")" \
	-H "Priority: $priority" -H "Tags: $tags"
if [ -n "${NTFY_TOKEN:-}" ]; then
	set -- "$@" -H "Authorization: Bearer $(header_value "$NTFY_TOKEN")"
fi
printf '%s\n%s (by %s)' "${INC_TEXT:-$INC_EVENT}" "$INC_ID" "${INC_BY:-?}" |
	curl -sS --fail --max-time "${CURL_MAX_TIME:-8}" "$@" --data-binary @- \
		"${url%/}/$NTFY_TOPIC" >/dev/null
