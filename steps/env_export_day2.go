package steps

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/globus-setup/globus-setup/vault"
)

// More export formats, for what comes after the setup:
//   - compute: the two variables the Globus Compute SDK and endpoint read,
//     from the Service Account app. The gateway's Globus Compute guide
//     (docs/admin-guide/inference-setup/globus-compute.md, "Export Globus
//     Service Account Credentials") sets GLOBUS_COMPUTE_CLIENT_ID and
//     GLOBUS_COMPUTE_CLIENT_SECRET to the gateway's SERVICE_ACCOUNT_ID and
//     SERVICE_ACCOUNT_SECRET, and the gateway itself builds its Compute
//     client from those two settings (resource_server_async/globus_utils.py,
//     get_compute_client_from_globus_app). Prefer `exec --compute`.
//   - users: the non-secret values the gateway's users need, safe to publish.
const (
	FormatCompute ExportFormat = "compute"
	FormatUsers   ExportFormat = "users"
)

// ExportFormats are every format Export takes, for help and errors.
var ExportFormats = []ExportFormat{FormatEnv, FormatJSON, FormatShell, FormatCompute, FormatUsers}

// Secret reports whether a format carries a secret (so it goes only to
// stdout on request or to a 0600 file).
func (f ExportFormat) Secret() bool { return f != FormatUsers }

// ComputeVariables are the Globus Compute SDK's client-credential variables.
var ComputeVariables = []string{"GLOBUS_COMPUTE_CLIENT_ID", "GLOBUS_COMPUTE_CLIENT_SECRET"}

// computeValues maps the Compute variables to the Service Account's values.
func computeValues(doc vault.Doc) ([][2]string, error) {
	id := strings.TrimSpace(doc.Values["service_account.client_id"])
	secret := strings.TrimSpace(doc.Values["service_account.client_secret"])
	var miss []string
	if id == "" {
		miss = append(miss, "service_account.client_id")
	}
	if secret == "" {
		miss = append(miss, "service_account.client_secret")
	}
	if len(miss) > 0 {
		return nil, &Problem{What: "the Service Account app's " + strings.Join(miss, " and ") + " is not stored yet: Globus Compute needs both",
			Do: Say("store it with ", setKey(miss[0]), ", or run the Service Account step (or ", applyStep(""), ")")}
	}
	return [][2]string{{ComputeVariables[0], id}, {ComputeVariables[1], secret}}, nil
}

// exportCompute writes `export NAME='value'` lines: sh reads them with `.`,
// and python-dotenv accepts the `export` prefix too.
func exportCompute(doc vault.Doc) ([]byte, error) {
	vals, err := computeValues(doc)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# Globus Compute credentials (the gateway's Service Account), written by globus-setup.\n")
	b.WriteString(Say("# Prefer ", command("exec", "--compute", "--", "COMMAND"), ", which keeps them off disk.\n").String())
	for _, kv := range vals {
		b.WriteString("export " + kv[0] + "=" + shellQuote(kv[1]) + "\n")
	}
	return b.Bytes(), nil
}

// exportUsers prints what a gateway user's token helper needs: no secret.
// The gateway's own helper (alcf_ai/src/alcf_ai/auth.py) reads no variables:
// it holds AUTH_CLIENT_ID (the public client), GATEWAY_CLIENT_ID (the Service
// API app, from which it builds GATEWAY_SCOPE as
// https://auth.globus.org/scopes/{GATEWAY_CLIENT_ID}/action_all) and the
// policy in GA_PARAMS' session_required_policies as constants, so the
// snippet is those lines, to paste over the helper's.
func exportUsers(doc vault.Doc) ([]byte, error) {
	pub := strings.TrimSpace(doc.Values["public_client.client_id"])
	api := strings.TrimSpace(doc.Values["service_api.client_id"])
	scope := strings.TrimSpace(doc.Values["service_api.scope_string"])
	policies := SplitList(doc.Values["policy.id"])
	var miss []string
	if pub == "" {
		miss = append(miss, "public_client.client_id (step 4)")
	}
	if api == "" || scope == "" {
		miss = append(miss, "service_api.scope_string (step 2, the scope)")
	}
	if len(policies) == 0 {
		miss = append(miss, "policy.id (step 5)")
	}
	if len(miss) > 0 {
		return nil, &Problem{What: "the users' values are not all stored yet: " + strings.Join(miss, ", ") + " missing",
			Do: Say("do those steps (or ", applyStep(""), ", ", checkStep(serviceAPIID), "), then export again")}
	}
	quoted := make([]string, len(policies))
	for i, p := range policies {
		quoted[i] = fmt.Sprintf("%q", p)
	}
	var b bytes.Buffer
	b.WriteString("# What the gateway's users need to get a token. Nothing here is secret: safe to publish.\n")
	fmt.Fprintf(&b, "public client ID: %s\n", pub)
	fmt.Fprintf(&b, "gateway scope:    %s\n", scope)
	fmt.Fprintf(&b, "policy ID:        %s\n", strings.Join(policies, " "))
	b.WriteString("\n# For the gateway's token helper (alcf_ai/src/alcf_ai/auth.py), replace these lines:\n")
	fmt.Fprintf(&b, "AUTH_CLIENT_ID = %q\n", pub)
	fmt.Fprintf(&b, "GATEWAY_CLIENT_ID = %q\n", api)
	fmt.Fprintf(&b, "GATEWAY_SCOPE = %q\n", scope)
	b.WriteString("GA_PARAMS = globus_sdk.gare.GlobusAuthorizationParameters(\n")
	fmt.Fprintf(&b, "    session_required_policies=[%s]\n)\n", strings.Join(quoted, ", "))
	return b.Bytes(), nil
}
