#!/bin/sh
# inc hook: post each event to a Microsoft Teams channel as an Adaptive
# Card, the message shape Teams incoming webhooks and the Workflows
# "when a Teams webhook request is received" trigger take.
# https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook
#
# inc.yaml:
#   hooks:
#     - on: [opened, acknowledged, severity, update, resolved]
#       run: examples/hooks/teams.sh
#
# Environment:
#   TEAMS_WEBHOOK_URL  the webhook's URL (required)
set -eu

: "${TEAMS_WEBHOOK_URL:?set TEAMS_WEBHOOK_URL to the Teams webhook URL}"

json_string() {
	printf '%s' "$1" |
		tr -d '\000-\010\013\014\016-\037\177' |
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
			-e "s/$(printf '\t')/\\\\t/g" -e "s/$(printf '\r')/\\\\r/g" |
		awk 'BEGIN { printf "\"" } NR > 1 { printf "%s", "\\n" } { printf "%s", $0 } END { printf "\"" }'
}

fact() { printf '{"title":%s,"value":%s}' "$(json_string "$1")" "$(json_string "$2")"; }

title="[${INC_SEVERITY:-no severity}] ${INC_TITLE:-$INC_ID}"
facts="$(fact Status "${INC_STATUS:-}"),$(fact Event "$INC_EVENT"),$(fact By "${INC_BY:-}"),$(fact Incident "$INC_ID")"
printf '{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","type":"AdaptiveCard","version":"1.4","body":[{"type":"TextBlock","size":"Medium","weight":"Bolder","wrap":true,"text":%s},{"type":"TextBlock","wrap":true,"text":%s},{"type":"FactSet","facts":[%s]}]}}]}' \
	"$(json_string "$title")" "$(json_string "${INC_TEXT:-$INC_EVENT}")" "$facts" |
	curl -sS --fail --max-time "${CURL_MAX_TIME:-8}" \
		-H 'Content-Type: application/json' --data-binary @- \
		"$TEAMS_WEBHOOK_URL" >/dev/null
