package steps

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/globus-setup/globus-setup/vault"
)

// Kind says how a value is checked, normalised and shown.
type Kind int

// Kinds of stored values. Zero is not a kind, so a forgotten Kind shows up.
const (
	KindUUID Kind = iota + 1
	KindSecret
	KindText
	KindEmail
	KindDomains
	KindUsernames
	KindDuration
	KindScopeString // set by the scope action, not typed
)

func (k Kind) String() string {
	switch k {
	case KindUUID:
		return "uuid"
	case KindSecret:
		return "secret"
	case KindText:
		return "text"
	case KindEmail:
		return "email"
	case KindDomains:
		return "domains"
	case KindUsernames:
		return "usernames"
	case KindDuration:
		return "duration"
	case KindScopeString:
		return "scope string"
	}
	return "unknown"
}

// KeySpec describes one stable key of the vault.
type KeySpec struct {
	Key, Label string
	Kind       Kind
	Secret     bool
	Help       string
	// Step is the ID of the step that owns the key.
	Step string
	// Auto keys are written by an automated action, never typed by the operator.
	Auto bool
	// DerivedFrom lists keys this value was made from: when one of them
	// changes, this value is stale and is removed (e.g. the scope belongs to
	// one client ID).
	DerivedFrom []string
}

var keySpecs = []KeySpec{
	{Key: "project.id", Label: "Project ID", Kind: KindUUID, Step: "project",
		Help: "The UUID of the Globus project that holds the gateway's apps and policy (shown as Project ID on the console)."},
	{Key: "project.name", Label: "Project name", Kind: KindText, Step: "project",
		Help: "The project's display name; the wizard derives suggested app names from it."},
	{Key: "project.contact_email", Label: "Contact e-mail", Kind: KindEmail, Step: "project",
		Help: "The project's contact address; needed only when the wizard creates the project for you."},
	{Key: "service_api.client_id", Label: "Service API client ID", Kind: KindUUID, Step: "service_api",
		Help: "Client UUID of the Service API app (a confidential client); the gateway's GLOBUS_APPLICATION_ID."},
	{Key: "service_api.client_secret", Label: "Service API client secret", Kind: KindSecret, Secret: true, Step: "service_api",
		Help: "A client secret generated for the Service API app; the gateway's GLOBUS_APPLICATION_SECRET."},
	{Key: "service_api.scope_id", Label: "Service API scope ID", Kind: KindUUID, Step: "service_api", Auto: true,
		DerivedFrom: []string{"service_api.client_id"},
		Help:        "UUID of the Service API app's action_all scope, created by the wizard."},
	{Key: "service_api.scope_string", Label: "Service API scope string", Kind: KindScopeString, Step: "service_api", Auto: true,
		DerivedFrom: []string{"service_api.client_id"},
		Help:        "The scope users' tokens must carry: https://auth.globus.org/scopes/<client ID>/action_all."},
	{Key: "service_account.client_id", Label: "Service account client ID", Kind: KindUUID, Step: "service_account",
		Help: "Client UUID of the Service Account app (a client identity); the gateway's SERVICE_ACCOUNT_ID."},
	{Key: "service_account.client_secret", Label: "Service account client secret", Kind: KindSecret, Secret: true, Step: "service_account",
		Help: "A client secret generated for the Service Account app; the gateway's SERVICE_ACCOUNT_SECRET."},
	{Key: "public_client.client_id", Label: "Public client ID", Kind: KindUUID, Step: "public_client",
		Help: "Client UUID of the public (thick, native) client users log in through; it has no secret."},
	{Key: "policy.id", Label: "Policy ID", Kind: KindUUID, Step: "policy",
		Help: "UUID of the high-assurance authentication policy; the gateway's GLOBUS_POLICIES."},
	{Key: "policy.domains", Label: "Identity provider domains", Kind: KindDomains, Step: "policy",
		Help: "The policy's included domains, e.g. anl.gov uchicago.edu; the gateway's AUTHORIZED_IDP_DOMAINS."},
	{Key: "policy.assurance_timeout", Label: "Authentication assurance timeout", Kind: KindDuration, Step: "policy",
		Help: "How long a login satisfies the policy, e.g. 8h or 28800 (stored in seconds)."},
}

// groupName is a key name for a group: it appears inside vault keys and
// command lines, so it is kept to lower-case letters, digits, '_' and '-'.
var groupName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// GroupNameRule says what a group's key name may be, for messages and help.
const GroupNameRule = "a group name starts with a lower-case letter and has up to 32 lower-case letters, digits, '_' or '-'"

// DefaultGroup is the group name the wizard's groups step uses.
const DefaultGroup = "users"

// ValidGroupName reports whether name can be used in groups.<name>.id/members.
func ValidGroupName(name string) bool { return groupName.MatchString(name) }

// Keys lists the stable keys in DESIGN.md order, then the default group's keys.
// Other groups' keys exist too (see Spec) but are not listed.
func Keys() []KeySpec {
	out := make([]KeySpec, 0, len(keySpecs)+2)
	for _, s := range keySpecs {
		out = append(out, cloneSpec(s))
	}
	id, _ := groupSpec(DefaultGroup, "id")
	members, _ := groupSpec(DefaultGroup, "members")
	return append(out, id, members)
}

// Spec describes key, including groups.<name>.id and groups.<name>.members
// for any valid group name.
func Spec(key string) (KeySpec, bool) {
	for _, s := range keySpecs {
		if s.Key == key {
			return cloneSpec(s), true
		}
	}
	if name, field, ok := splitGroupKey(key); ok {
		return groupSpec(name, field)
	}
	return KeySpec{}, false
}

// splitGroupKey splits groups.<name>.<field>; name and field are not checked.
func splitGroupKey(key string) (name, field string, ok bool) {
	rest, ok := strings.CutPrefix(key, "groups.")
	i := strings.LastIndexByte(rest, '.')
	if !ok || i <= 0 {
		return "", "", false
	}
	return rest[:i], rest[i+1:], true
}

func groupSpec(name, field string) (KeySpec, bool) {
	return groupSpecShown(name, field, "")
}

// groupSpecShown is groupSpec naming the group by shown, its display name on
// Globus, when known ("" names it by its key).
func groupSpecShown(name, field, shown string) (KeySpec, bool) {
	if !ValidGroupName(name) {
		return KeySpec{}, false
	}
	key := "groups." + name + "." + field
	label, the := "("+name+")", "the group '"+name+"'"
	if shown != "" {
		label, the = fmt.Sprintf("(%q)", shown), fmt.Sprintf("the group %q", shown)
	}
	switch field {
	case "id":
		return KeySpec{Key: key, Label: "Group ID " + label, Kind: KindUUID, Step: "groups",
			Help: "UUID of " + the + " on Globus; its members may use the gateway (GLOBUS_GROUPS)."}, true
	case "members":
		return KeySpec{Key: key, Label: "Members " + label, Kind: KindUsernames, Step: "groups",
			Help: "Globus usernames (alice@anl.gov) or identity UUIDs to add to " + the + "."}, true
	}
	return KeySpec{}, false
}

// GroupShownName is the display name on Globus of the group stored as
// groups.<name>.*, as verify names it, when the wizard knows it: the default
// group's is the one the wizard gives it and suggests on the console (see
// defaultGroupDisplayName). Any other group's name is not stored: "".
func GroupShownName(doc vault.Doc, name string) string {
	if name != DefaultGroup {
		return ""
	}
	return groupDisplayNameIn(doc, name)
}

// SpecIn is Spec with a group named as the operator knows it: by its
// display name on Globus (GroupShownName), else by its key.
func SpecIn(doc vault.Doc, key string) (KeySpec, bool) {
	if name, field, ok := splitGroupKey(key); ok {
		if shown := GroupShownName(doc, name); shown != "" {
			return groupSpecShown(name, field, shown)
		}
	}
	return Spec(key)
}

// FieldIn is f with its label and help from SpecIn.
func FieldIn(doc vault.Doc, f Field) Field {
	if s, ok := SpecIn(doc, f.Key); ok {
		f.Label, f.Help = s.Label, s.Help
	}
	return f
}

func cloneSpec(s KeySpec) KeySpec {
	s.DerivedFrom = append([]string(nil), s.DerivedFrom...)
	return s
}

// GroupNames lists the group names that have any value in values, sorted.
func GroupNames(values map[string]string) []string {
	seen := map[string]bool{}
	for k := range values {
		if name, field, ok := splitGroupKey(k); ok {
			if _, ok := groupSpec(name, field); ok { // groupSpec checks the name
				seen[name] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SplitList splits a stored list value (domains, usernames) into its items.
func SplitList(value string) []string {
	return strings.FieldsFunc(value, isListSep)
}

func isListSep(r rune) bool {
	switch r {
	case ',', ';', ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}
