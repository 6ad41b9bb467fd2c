package steps

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// Which Globus credential an app's stored secret is, and how old it is:
// apply and a rotation record it, status shows it.

// SecretMeta says which credential the stored secret is. FP is a short hash
// of the secret: a secret typed in later (set, the wizard) no longer matches,
// so stale facts are never shown as the new secret's.
type SecretMeta struct {
	CredentialID string    `json:"credential_id"`
	Created      time.Time `json:"created"`
	FP           string    `json:"fp"`
	// Rotated is when a rotation that made this secret the stored one
	// finished (zero: apply or a typed secret made it so).
	Rotated time.Time `json:"rotated,omitzero"`

	unknown vault.Unknown // fields of a newer version, kept (records_unknown.go)
}

func fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	return hex.EncodeToString(sum[:8])
}

// secretMeta returns the facts about the app's stored secret, if known and
// still about that secret.
func secretMeta(doc vault.Doc, app string) (SecretMeta, bool) {
	raw, ok := doc.Internal[secretMetaPrefix+app]
	if !ok {
		return SecretMeta{}, false
	}
	var m SecretMeta
	secret := strings.TrimSpace(doc.Values[app+".client_secret"])
	if json.Unmarshal([]byte(raw), &m) != nil || secret == "" || m.FP != fingerprint(secret) {
		return SecretMeta{}, false
	}
	return m, true
}

func putSecretMeta(d *vault.Doc, app string, cr globus.Credential, secret string) {
	m := SecretMeta{CredentialID: cr.ID, Created: cr.Created, FP: fingerprint(secret)}
	var was SecretMeta
	if json.Unmarshal([]byte(d.Internal[secretMetaPrefix+app]), &was) == nil && was.CredentialID == cr.ID {
		m.unknown = was.unknown // facts about the same credential: kept
	}
	b, _ := json.Marshal(m)
	if d.Internal == nil {
		d.Internal = map[string]string{}
	}
	d.Internal[secretMetaPrefix+app] = string(b)
}

// markRotated records that a rotation finished at at, making the stored
// secret the app's (after putSecretMeta for the new credential).
func markRotated(d *vault.Doc, app string, at time.Time) {
	var m SecretMeta
	if json.Unmarshal([]byte(d.Internal[secretMetaPrefix+app]), &m) != nil {
		return
	}
	m.Rotated = at.UTC()
	if b, err := json.Marshal(m); err == nil {
		d.Internal[secretMetaPrefix+app] = string(b)
	}
}

// lastRotation says when the app's last rotation finished and which
// credential it left in use; false when none is recorded for the stored
// secret.
func lastRotation(doc vault.Doc, app string) (SecretMeta, bool) {
	m, ok := secretMeta(doc, app)
	return m, ok && !m.Rotated.IsZero()
}

// noRotation is the problem of --finish or --undo with none in progress:
// one that finished is named, so a second --finish is not told to start one;
// with none finished before, the advice is otherwise.
func noRotation(doc vault.Doc, app, then string, otherwise Advice) *Problem {
	p := &Problem{What: "no rotation of the " + appLabel(app) + " secret is in progress", is: ErrNoRotation}
	m, ok := lastRotation(doc, app)
	if !ok {
		p.Do = otherwise
		return p
	}
	p.What += ": the last one finished " + m.Rotated.Format("2006-01-02 15:04 UTC") + ", and credential " + m.CredentialID + " is the secret in use"
	p.Do = Say(then+"; ", rotateCmd(app), " starts a new one")
	return p
}

// DefaultMaxSecretAge is how old a secret may get before status flags it:
// 90 days, a common rotation policy.
const DefaultMaxSecretAge = 90 * 24 * time.Hour

// SecretAge is one stored secret's age.
type SecretAge struct {
	App     string
	Known   bool // Globus's creation time is known
	Created time.Time
	Age     time.Duration
	Old     bool // older than the limit
}

// SecretAges lists the age of each stored secret at now.
func SecretAges(doc vault.Doc, now time.Time, max time.Duration) []SecretAge {
	var out []SecretAge
	for _, app := range RotatableApps {
		if strings.TrimSpace(doc.Values[app+".client_secret"]) == "" {
			continue
		}
		a := SecretAge{App: app}
		if m, ok := secretMeta(doc, app); ok && !m.Created.IsZero() {
			a.Known, a.Created, a.Age = true, m.Created, now.Sub(m.Created)
			a.Old = max > 0 && a.Age > max
		}
		out = append(out, a)
	}
	return out
}

// Line is "Service API secret: 12 days old" with a flag when too old.
func (a SecretAge) Line(max time.Duration) string { return a.LineIn(max, CLI) }

// LineIn is Line with the actions named by n.
func (a SecretAge) LineIn(max time.Duration, n Namer) string {
	if !a.Known {
		return Say(appLabel(a.App), " secret: age unknown (not made by globus-setup; ", rotateCmd(a.App), " replaces it with one whose age is known)").In(n)
	}
	age, limit := days(a.Age), days(max)
	if max > 0 && max < 24*time.Hour {
		// A limit below a day, in its own unit, and the age as finely:
		// never "0 days old, older than 0 days".
		age, limit = a.Age.Round(time.Second).String(), max.String()
	}
	s := fmt.Sprintf("%s secret: %s old (made %s)", appLabel(a.App), age, a.Created.UTC().Format("2006-01-02"))
	if a.Old {
		return Say(s, " — older than "+limit+": rotate it with ", rotateCmd(a.App)).In(n)
	}
	return s
}

func days(d time.Duration) string {
	n := int(d / (24 * time.Hour))
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}
