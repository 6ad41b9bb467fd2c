package assets

// Suggested names. The console takes any name; these make the apps easy to
// recognise later in a list of many.
const (
	DefaultProjectName      = "Inference Gateway"
	ServiceAPISuffix        = "Service API"
	ServiceAccountSuffix    = "Endpoints"
	PublicClientSuffix      = "Public Client"
	PolicySuffix            = "High Assurance Policy"
	GroupSuffix             = "Users"
	ServiceAPISecretLabel   = "inference token introspection"
	ServiceAcctSecretLabel  = "inference compute endpoints"
	PolicyDescription       = "Who may use the inference gateway"
	ScopeName               = "Inference gateway access"
	ScopeDescription        = "Lets the inference gateway check your access token and your group memberships."
	DefaultAssuranceTimeout = "28800" // eight hours, Globus's default for high-assurance sessions
	// ServiceAPIRedirectURI: the console asks for a redirect URI even though the
	// gateway never sends a browser to it.
	ServiceAPIRedirectURI = "http://localhost:8000"
)

// AppName is the suggested console name for an app of the project.
func AppName(projectName, suffix string) string {
	if projectName == "" {
		projectName = DefaultProjectName
	}
	return projectName + " " + suffix
}

// DemoData seeds the built-in emulator for --demo: a believable operator and
// users, all on reserved example domains.
type DemoData struct {
	ProjectName  string
	ContactEmail string
	Operator     string // username that "logs in" on the emulator
	OperatorName string
	Domains      []string
	Members      []string // usernames for the demo group
	GroupName    string   // the group's key name (groups.<name>.*)
}

// Demo returns fresh demo data (slices are copies: callers may change them).
func Demo() DemoData {
	return DemoData{
		ProjectName:  "Demo " + DefaultProjectName,
		ContactEmail: "ops@example.org",
		Operator:     "operator@example.org",
		OperatorName: "Demo Operator",
		Domains:      []string{"example.org", "example.edu"},
		Members:      []string{"alice@example.org", "bob@example.edu"},
		GroupName:    "users",
	}
}
