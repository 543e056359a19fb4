#!/bin/sh
# inc hook: trigger a PagerDuty alert when an incident opens (or pages, or
# changes severity) and resolve it when the incident is resolved or
# declined, through the Events API v2. The alert's dedup_key is the
# incident's ID, so every event of one incident updates one alert.
# https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
#
# inc.yaml:
#   hooks:
#     - on: [opened, page, severity, resolved, status]
#       run: examples/hooks/pagerduty.sh
#
# Environment:
#   PAGERDUTY_ROUTING_KEY  the integration key of the service (required)
#   PAGERDUTY_EVENTS_URL   default https://events.pagerduty.com/v2/enqueue
#   PAGERDUTY_SOURCE       payload.source, default `inc`
#   PAGERDUTY_SEVERITY     payload.severity for every alert (critical, error,
#                          warning or info); by default SEV1/P1 → critical,
#                          SEV2/P2 → error, SEV3/P3 → warning, others → info
# The JSON inc writes on stdin goes into payload.custom_details.
set -eu

: "${PAGERDUTY_ROUTING_KEY:?set PAGERDUTY_ROUTING_KEY to the integration key}"
url=${PAGERDUTY_EVENTS_URL:-https://events.pagerduty.com/v2/enqueue}

json_string() {
	printf '%s' "$1" |
		tr -d '\000-\010\013\014\016-\037\177' |
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
			-e "s/$(printf '\t')/\\\\t/g" -e "s/$(printf '\r')/\\\\r/g" |
		awk 'BEGIN { printf "\"" } NR > 1 { printf "%s", "\\n" } { printf "%s", $0 } END { printf "\"" }'
}

case "$INC_EVENT:${INC_STATUS:-}" in
status:resolved | status:declined | update:resolved | update:declined) action=resolve ;;
opened:* | page:* | severity:*) action=trigger ;;
*) exit 0 ;; # nothing PagerDuty needs to know
esac

key=$(json_string "$PAGERDUTY_ROUTING_KEY")
dedup=$(json_string "$INC_ID")
if [ "$action" = resolve ]; then
	body=$(printf '{"routing_key":%s,"event_action":"resolve","dedup_key":%s}' "$key" "$dedup")
else
	case "${PAGERDUTY_SEVERITY:-${INC_SEVERITY:-}}" in
	critical | SEV1 | sev1 | P1 | p1) severity=critical ;;
	error | SEV2 | sev2 | P2 | p2) severity=error ;;
	warning | SEV3 | sev3 | P3 | p3) severity=warning ;;
	*) severity=info ;;
	esac
	details=$(cat)
	[ -n "$details" ] || details='{}'
	summary="[${INC_SEVERITY:-no severity}] ${INC_TITLE:-$INC_ID}"
	body=$(printf '{"routing_key":%s,"event_action":"trigger","dedup_key":%s,"client":"inc","payload":{"summary":%s,"source":%s,"severity":"%s","custom_details":%s}}' \
		"$key" "$dedup" "$(json_string "$summary")" "$(json_string "${PAGERDUTY_SOURCE:-inc}")" \
		"$severity" "$details")
fi
printf '%s' "$body" |
	curl -sS --fail --max-time "${CURL_MAX_TIME:-8}" \
		-H 'Content-Type: application/json' --data-binary @- "$url" >/dev/null
