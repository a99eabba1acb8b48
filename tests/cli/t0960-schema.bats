#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf schema: a JSON Schema of customer files from the field table and
# crmf.yaml, checked by an independent validator (python3-jsonschema); crmf
# setup --vscode writes it for VS Code's YAML extension without touching a
# user's settings.

load helper

validate() {
	/usr/bin/python3 "$CRMF_SRC/tests/cli/data/validate_schema.py" "$@"
}

@test "schema: every customer of the example is valid; broken files are flagged at their field" {
	make_example_repo
	cd repo
	crmf schema >"$TMP/schema.json"
	run validate "$TMP/schema.json" $(find customers archive -name '*.yaml')
	assert_success
	refute_output --partial INVALID
	cd "$CRMF_SRC/examples/broken"
	run validate "$TMP/schema.json" bad-enum.yaml unknown-field.yaml missing-required.yaml \
		bad-amount.yaml contact-without-phone-or-email.yaml size-no.yaml
	assert_line "bad-enum.yaml: INVALID stage: 'intnet' is not one of ['lead', 'intent', 'negotiation', 'customer', 'at-risk', 'lost']"
	assert_line --partial "unknown-field.yaml: INVALID : Additional properties are not allowed ('stauts' was unexpected)"
	assert_line "missing-required.yaml: INVALID : 'source' is a required property"
	assert_line --partial "bad-amount.yaml: INVALID deals/0/amount:"
	assert_line --partial "contact-without-phone-or-email.yaml: INVALID contacts/1:"
	assert_line --partial "size-no.yaml: INVALID size: 'no' is not one of"
}

@test "schema follows crmf.yaml: custom fields, team, labels; --format checked" {
	make_example_repo
	cd repo
	run crmf schema
	assert_success
	# the custom enum field of the example, required; labels of stage values; the team by id and name
	run /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
p = s["properties"]
print(p["region"]["enum"], "region" in s["required"])
print(p["stage"]["markdownEnumDescriptions"][1])
print("li.na" in p["owner"]["enum"], "李娜" in p["owner"]["enum"])
print(p["followups"]["items"]["properties"]["method"]["enum"])
' < <(crmf schema)
	assert_line "['华东', '华北', '华南', '西部'] True"
	assert_line '意向期'
	assert_line 'True True'
	assert_line "['phone', 'visit', 'email', 'meeting', 'wechat', 'other']"
	sed -i 's/^fields:$/fields:\n  contract_no: {type: string}/' crmf.yaml
	run crmf schema
	assert_output --partial '"contract_no": {"title": "contract_no", "type": ["string", "number"]}'
	run crmf schema --format yaml
	assert_failure 2
	assert_output --partial "unknown format 'yaml'"
}

@test "setup --vscode: writes the schema and a new settings.json; leaves an existing one alone" {
	make_example_repo
	cd repo
	run crmf setup --vscode
	assert_success
	assert_output --partial 'wrote .vscode/crmf.schema.json'
	run /usr/bin/python3 -c 'import json; print(json.load(open(".vscode/settings.json"))["yaml.schemas"])'
	assert_output --partial "'./.vscode/crmf.schema.json': ['customers/**/*.yaml'"
	cmp .vscode/crmf.schema.json <(crmf schema)
	run crmf setup --vscode
	assert_output --partial '.vscode/settings.json already uses it'
	printf '{\n  // mine\n  "editor.tabSize": 2\n}\n' >.vscode/settings.json
	cp .vscode/settings.json "$TMP/mine"
	run crmf setup --vscode
	assert_success
	assert_output --partial 'left .vscode/settings.json as it is; add to it'
	assert_output --partial '"yaml.schemas": {"./.vscode/crmf.schema.json"'
	cmp .vscode/settings.json "$TMP/mine"
}
