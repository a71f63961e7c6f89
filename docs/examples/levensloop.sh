#!/usr/bin/env bash
# A full lifecycle over the HTTP API with curl and jq: submit, ask for aanvulling, complete, assess, decide.
# Used in docs/api.md and run by tests/integration/test_api_docs.py against a real server.
#   R2C=http://127.0.0.1:8000  BEHANDELAAR=<key with roles behandelaar,teamleider>  COLLEGE=<key with role college>
set -euo pipefail
R2C=${R2C:-http://127.0.0.1:8000}
API=$R2C/api/v1
B="Authorization: Bearer $BEHANDELAAR"
C="Authorization: Bearer $COLLEGE"
JSON="Content-Type: application/json"

# 1. The initiatiefnemer submits (no key needed; limited per address). The answer holds the status link, once.
SUBMITTED=$(curl -sS --fail-with-body -X POST "$API/challenges" -H "$JSON" -d '{
  "gemeente": "gouda",
  "titel": "Buurttuin Kastanjelaan",
  "initiatiefnemer": {"naam": "Fatima el Amrani", "email": "fatima@example.nl",
                      "organisatie": "Bewonersgroep Korte Akkeren"},
  "data": {"omschrijving": "Wij maken van het plantsoen een buurttuin en onderhouden die zelf.",
           "vereisten": ["contactgegevens", "taak", "plan"]}
}')
ID=$(echo "$SUBMITTED" | jq -r .challenge.id)
RESIDENT="Authorization: Bearer $(echo "$SUBMITTED" | jq -r .statusToken)"
echo "ingediend: $ID, statuspagina $(echo "$SUBMITTED" | jq -r .statusUrl)"

# What may the behandelaar do now, and what still blocks it?
curl -sS --fail-with-body "$API/challenges/$ID/events" -H "$B" | jq -c '.[] | {event, now, blockedBy}'

# 2. The behandelaar asks for aanvulling. Every change sends the version it read as If-Match (412 if stale).
VERSION=$(curl -sS --fail-with-body "$API/challenges/$ID" -H "$B" | jq .version)
curl -sS --fail-with-body -X POST "$API/challenges/$ID/events/aanvulling_vragen" -H "$B" -H "$JSON" -H "If-Match: \"$VERSION\"" \
  -d '{"reden": "De begroting, het draagvlak en de uitvoering ontbreken nog."}' | jq -c '{state, version}'

# The hersteltermijn, with how its end date was counted (Awb 4:5, Atw):
curl -sS --fail-with-body "$API/challenges/$ID/terms" -H "$B" | jq -c '.[] | {name, status, einddatum}'

# 3. The initiatiefnemer completes the request with their status link.
VERSION=$(curl -sS --fail-with-body "$API/challenges/$ID" -H "$RESIDENT" | jq .version)
curl -sS --fail-with-body -X POST "$API/challenges/$ID/events/aanvullen" -H "$RESIDENT" -H "$JSON" -H "If-Match: \"$VERSION\"" \
  -d '{"data": {"vereisten": ["contactgegevens", "taak", "plan", "meerwaarde", "begroting", "draagvlak",
                              "organisatie"]}}' | jq -c '{state, version}'

# 4. The behandelaar takes it on and assesses every criterion with a motivering.
fire() {  # fire EVENT KEY-HEADER JSON-BODY
  local version
  version=$(curl -sS --fail-with-body "$API/challenges/$ID" -H "$2" | jq .version)
  curl -sS --fail-with-body -X POST "$API/challenges/$ID/events/$1" -H "$2" -H "$JSON" -H "If-Match: \"$version\"" -d "$3" \
    | jq -c '{state, version}'
}
fire in_behandeling_nemen "$B" '{}'
CRITERIA=$(curl -sS --fail-with-body "$API/workflows/gouda" | jq -c '.criteria | with_entries(.value =
  {"oordeel": "voldoet", "motivering": ("Het plan laat dit zien: " + .value.label)})')
fire beoordelen "$B" "{\"data\": {\"beoordelingen\": $CRITERIA}}"
fire voorleggen "$B" '{"data": {"weigering_op_andere_feiten": false}}'  # the key also has role teamleider: -H "X-R2C-Rol: teamleider" acts as such

# 5. The college decides.
fire toekennen "$C" '{"reden": "Het plan voldoet aan alle criteria; de buurt steunt het."}'

# The timeline and the letters the initiatiefnemer received (the besluit as PDF):
curl -sS --fail-with-body "$API/challenges/$ID/timeline" -H "$B" | jq -c '.[] | [.seq, .event, .actorRol, .toState]'
LETTER=$(curl -sS --fail-with-body "$API/challenges/$ID/letters" -H "$RESIDENT" | jq -r '.[] | select(.template=="besluit_toekenning") | .id')
curl -sS --fail-with-body "$API/challenges/$ID/letters/$LETTER/pdf" -H "$RESIDENT" -o besluit.pdf && echo "besluit.pdf opgeslagen"
