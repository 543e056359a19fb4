#!/bin/sh
# inc hook: post each event to a Slack incoming webhook, as `{"text": …}`.
# https://api.slack.com/messaging/webhooks
#
# inc.yaml:
#   hooks:
#     - on: [opened, acknowledged, severity, update, resolved]
#       run: examples/hooks/slack.sh
#
# Environment (keep the URL out of inc.yaml: it is a secret):
#   SLACK_WEBHOOK_URL  the webhook's URL (required)
# Reads what inc passes: INC_ID, INC_EVENT, INC_TITLE, INC_SEVERITY,
# INC_STATUS, INC_BY, INC_TEXT.
set -eu

: "${SLACK_WEBHOOK_URL:?set SLACK_WEBHOOK_URL to the Slack incoming webhook URL}"

# A JSON string holding $1: backslashes, quotes, tabs, carriage returns and
# newlines escaped, other control characters dropped.
json_string() {
	printf '%s' "$1" |
		tr -d '\000-\010\013\014\016-\037\177' |
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
			-e "s/$(printf '\t')/\\\\t/g" -e "s/$(printf '\r')/\\\\r/g" |
		awk 'BEGIN { printf "\"" } NR > 1 { printf "%s", "\\n" } { printf "%s", $0 } END { printf "\"" }'
}

text="[${INC_SEVERITY:-no severity}] ${INC_TITLE:-} (${INC_STATUS:-}): ${INC_TEXT:-$INC_EVENT} (by ${INC_BY:-?}, ${INC_ID})"
printf '{"text":%s}' "$(json_string "$text")" |
	curl -sS --fail --max-time "${CURL_MAX_TIME:-8}" \
		-H 'Content-Type: application/json' --data-binary @- \
		"$SLACK_WEBHOOK_URL" >/dev/null
