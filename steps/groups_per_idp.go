package steps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/globus-setup/globus-setup/vault"
)

// The gateway's AUTHORIZED_GROUPS_PER_IDP, stored as groups.per_idp: a JSON
// object from an identity provider's domain to a comma-separated list of
// group IDs. inference_gateway/settings.py reads it with json.loads and
// splits each value on ',' (stripping blanks); resource_server_async/auth.py
// (check_groups_per_idp) then admits a user whose username's domain is a
// key only if they are in one of its groups, comparing group IDs exactly
// with the lower-case IDs Groups answers. The setup never makes one: it is
// stored when a gateway's .env holding one is imported, or set by hand.

const groupsPerIdPKey = "groups.per_idp"

func groupsPerIdPSpec() KeySpec {
	return KeySpec{Key: groupsPerIdPKey, Label: "Groups per identity provider", Kind: KindGroupsPerIdP, Step: groupsID,
		Help: `The gateway's AUTHORIZED_GROUPS_PER_IDP, as JSON: {"uchicago.edu": "group-uuid,group-uuid"}. A user whose identity is from such a domain must be in one of its groups.`}
}

// NormalizeGroupsPerIdP checks a per-domain group mapping as the gateway
// would read it and returns it as compact JSON, in the order written. The
// gateway stops at start-up on anything but an object of strings (its
// value.split(",") needs a string); a domain listed twice (json.loads keeps
// the last silently) or a group ID that is not a lower-case UUID (it could
// never match a group) is refused too. Empty items between commas are
// harmless to the gateway and kept.
func NormalizeGroupsPerIdP(raw string) (string, error) {
	dec := json.NewDecoder(strings.NewReader(strings.TrimSpace(raw)))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", errors.New(`not a JSON object: the gateway reads it as {"domain": "group-uuid,group-uuid"}`)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	seen := map[string]bool{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return "", fmt.Errorf("not valid JSON: %v", err)
		}
		domain := kt.(string) // an object's keys are strings
		var groups any
		if err := dec.Decode(&groups); err != nil {
			return "", fmt.Errorf("not valid JSON: %v", err)
		}
		list, ok := groups.(string)
		if !ok {
			return "", fmt.Errorf("%q: the groups must be one string, comma-separated (the gateway splits it on ','), not %s", domain, jsonKind(groups))
		}
		if _, err := normalizeDomain(domain); err != nil || strings.TrimSpace(domain) != domain {
			why := "blanks around it"
			if err != nil {
				why = err.Error()
			}
			return "", fmt.Errorf("%q is not an identity provider's domain: %s", domain, why)
		}
		if seen[domain] {
			return "", fmt.Errorf("%q is listed twice (the gateway would keep only the last)", domain)
		}
		seen[domain] = true
		for _, id := range strings.Split(list, ",") {
			if id = strings.TrimSpace(id); id != "" && (!isUUIDShape(id) || strings.ToLower(id) != id) {
				return "", fmt.Errorf("%q: %q is not a group ID in lower case (the gateway compares it exactly with the IDs Groups answers, which are lower case)", domain, id)
			}
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(domain)
		v, _ := json.Marshal(list)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return "", fmt.Errorf("not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", errors.New("not valid JSON: something follows the object")
	}
	b.WriteByte('}')
	return b.String(), nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "true or false"
	case json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "that"
}

// groupsPerIdPValue is the stored mapping, for the gateway's variable
// (nil: none stored).
func groupsPerIdPValue(doc vault.Doc) []string {
	if v := doc.Values[groupsPerIdPKey]; v != "" {
		return []string{v}
	}
	return nil
}
