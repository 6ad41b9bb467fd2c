package steps

import (
	"github.com/globus-setup/globus-setup/vault"
)

// The records steps keep in the vault's internal values (a rotation in
// progress, apply's intents, which credential a stored secret is, the
// operator's login) keep the fields a newer globus-setup added, as the
// document's own fields do (vault/unknown.go): a teammate on an older
// version never drops them when it rewrites the record.
//
// Kept where a record is rewritten about the same thing: a rotation
// through its phases, a login's tokens renewed, a secret's facts for the
// same credential, an intent for the same call. A record of something new
// (a new rotation, a new login, another credential, another call) starts
// afresh: fields about the old one would be wrong about it, and an intent
// naming the old call's objects could have a newer version delete them.

// The *Fields types are the records without their methods: the plain
// encoding of the known fields.
type (
	rotationFields      Rotation
	applyIntentFields   applyIntent
	secretMetaFields    SecretMeta
	operatorLoginFields operatorLogin
	storedTokenFields   storedToken
)

func (r Rotation) MarshalJSON() ([]byte, error) {
	return vault.EncodeKeeping(rotationFields(r), r.unknown)
}

func (r *Rotation) UnmarshalJSON(b []byte) error {
	var f rotationFields
	unknown, err := vault.DecodeKeeping(b, &f)
	if err == nil {
		*r = Rotation(f)
		r.unknown = unknown
	}
	return err
}

func (in applyIntent) MarshalJSON() ([]byte, error) {
	return vault.EncodeKeeping(applyIntentFields(in), in.unknown)
}

func (in *applyIntent) UnmarshalJSON(b []byte) error {
	var f applyIntentFields
	unknown, err := vault.DecodeKeeping(b, &f)
	if err == nil {
		*in = applyIntent(f)
		in.unknown = unknown
	}
	return err
}

func (m SecretMeta) MarshalJSON() ([]byte, error) {
	return vault.EncodeKeeping(secretMetaFields(m), m.unknown)
}

func (m *SecretMeta) UnmarshalJSON(b []byte) error {
	var f secretMetaFields
	unknown, err := vault.DecodeKeeping(b, &f)
	if err == nil {
		*m = SecretMeta(f)
		m.unknown = unknown
	}
	return err
}

func (l operatorLogin) MarshalJSON() ([]byte, error) {
	return vault.EncodeKeeping(operatorLoginFields(l), l.unknown)
}

func (l *operatorLogin) UnmarshalJSON(b []byte) error {
	var f operatorLoginFields
	unknown, err := vault.DecodeKeeping(b, &f)
	if err == nil {
		*l = operatorLogin(f)
		l.unknown = unknown
	}
	return err
}

func (t storedToken) MarshalJSON() ([]byte, error) {
	return vault.EncodeKeeping(storedTokenFields(t), t.unknown)
}

func (t *storedToken) UnmarshalJSON(b []byte) error {
	var f storedTokenFields
	unknown, err := vault.DecodeKeeping(b, &f)
	if err == nil {
		*t = storedToken(f)
		t.unknown = unknown
	}
	return err
}
