package flow

import (
	"context"
	"errors"

	"github.com/globus-setup/globus-setup/vault"
)

// UnlockOptions say which vault to open and how.
type UnlockOptions struct {
	Paths   vault.Paths
	Sources vault.PassphraseSources // File/Command (Prompt is not used: the UI asks)
	Options vault.Options
	// Force opens a damaged vault with the typed passphrase, keeping the
	// damaged file aside.
	Force bool
	// Tries is how many passphrases may be typed (0: 5).
	Tries int
	// TypedOnly skips the passphrase file, command and keychain (one of
	// them failed: the person types it instead).
	TypedOnly bool
	// Throwaway: the vault is deleted at the end of the run (a throwaway
	// demo's), so the keychain is not offered: its entry would outlive it.
	Throwaway bool
}

// Unlocked is an open vault and how it was opened.
type Unlocked struct {
	Vault *vault.Vault
	// Note says how, when it was not by a typed passphrase, or what became
	// of remembering it ("unlocked with the OS keychain").
	Note string
}

// Retry is why a typed passphrase is asked for again, in a sentence.
type Retry string

func (r Retry) Error() string { return string(r) }

// Why a typed passphrase is asked for again.
const (
	ErrTooShort    Retry = "Use at least 8 characters; a short sentence is easy to remember."
	ErrDiffer      Retry = "The two passphrases differ. Type them again."
	ErrNoPass      Retry = "Type a passphrase."
	ErrWrongPass   Retry = "Wrong passphrase. Nothing was changed; try again."
	ErrVaultGone   Retry = "The vault is gone; create a new one."
	ErrVaultExists Retry = "A vault already exists there; unlock it instead."
)

// MinPassphrase is the shortest passphrase a new vault takes.
const MinPassphrase = 8

// Unlock opens the vault, or creates it when there is none: with the
// passphrase file or command when one is configured, else (an existing
// vault) the OS keychain's key, else a passphrase typed (twice for a new
// vault, at least MinPassphrase characters); a wrong one is asked again.
// Typed, it offers to remember the key in the OS keychain.
func Unlock(ctx context.Context, ui UI, o UnlockOptions) (Unlocked, error) {
	p := o.Paths
	create := !vault.Exists(p)
	if !create {
		// A new vault has no saved passphrase to look for.
		ui.Progress(Progress{Doing: "Looking for a saved passphrase…"})
	}
	keychain := vault.KeychainAvailable()
	if pass, ok, err := readSources(o); err != nil {
		return Unlocked{}, err
	} else if ok {
		defer wipe(pass)
		if create {
			v, err := vault.Create(p, pass, o.Options)
			return Unlocked{Vault: v, Note: "vault created with the configured passphrase"}, err
		}
		v, err := vault.Open(p, pass, o.Options)
		return Unlocked{Vault: v}, err
	}
	if !create && keychain && !o.TypedOnly {
		if id, ok, err := vault.IdentityFromKeychain(p); err == nil && ok {
			if v, err := vault.OpenWithIdentity(p, id, o.Options); err == nil {
				return Unlocked{Vault: v, Note: "unlocked with the OS keychain"}, nil
			}
		}
	}
	tries := o.Tries
	if tries <= 0 {
		tries = 5
	}
	remember := &Confirm{Key: KeyRemember, Ask: "Remember the vault in the OS keychain, so no passphrase is needed next time?"}
	if !keychain || o.Throwaway {
		remember = nil
	}
	var again error
	for try := 0; try < tries; try++ {
		v, retry, err := typed(ctx, ui, o, &create, remember, again)
		if err != nil {
			return Unlocked{}, err
		}
		if retry != nil {
			again = retry
			continue
		}
		u := Unlocked{Vault: v}
		if remember != nil {
			yes, err := ui.Confirm(ctx, *remember)
			if err != nil {
				return u, nil // the vault is open; remembering is an offer
			}
			if yes {
				if kerr := v.RememberInKeychain(); kerr != nil {
					u.Note = "could not save to the OS keychain: " + kerr.Error()
				} else {
					u.Note = "remembered in the OS keychain"
				}
			}
		}
		return u, nil
	}
	return Unlocked{}, vault.ErrWrongPassphrase
}

// typed asks for a passphrase and opens (or creates) the vault with it;
// retry is why to ask again.
func typed(ctx context.Context, ui UI, o UnlockOptions, create *bool, remember *Confirm, again error) (v *vault.Vault, retry, err error) {
	p := o.Paths
	if *create {
		pass, err := ui.Ask(ctx, Question{Key: KeyNewPassphrase, Label: "Passphrase", Secret: true, Again: again, Offer: remember,
			Intro: []string{"Create the vault: choose a passphrase of at least 8 characters."}})
		if err != nil {
			return nil, nil, err
		}
		if pass == "" {
			return nil, ErrNoPass, nil
		}
		if len([]rune(pass)) < MinPassphrase {
			return nil, ErrTooShort, nil
		}
		confirm, err := ui.Ask(ctx, Question{Key: KeyPassphraseAgain, Label: "Passphrase again", Secret: true})
		if err != nil {
			return nil, nil, err
		}
		if confirm != pass {
			return nil, ErrDiffer, nil
		}
		ui.Progress(Progress{Doing: "Creating the vault (deriving the key takes a second)…"})
		secret := []byte(pass)
		defer wipe(secret)
		v, err := vault.Create(p, secret, o.Options)
		if errors.Is(err, vault.ErrExists) {
			*create = false
			return nil, ErrVaultExists, nil
		}
		return v, nil, err
	}
	pass, err := ui.Ask(ctx, Question{Key: KeyPassphrase, Label: "Vault passphrase", Secret: true, Again: again, Offer: remember})
	if err != nil {
		return nil, nil, err
	}
	if pass == "" {
		return nil, ErrNoPass, nil
	}
	ui.Progress(Progress{Doing: "Unlocking (deriving the key takes a second)…"})
	secret := []byte(pass)
	defer wipe(secret)
	v, err = vault.Open(p, secret, o.Options)
	var ce *vault.CorruptError
	if errors.As(err, &ce) && o.Force {
		v, err = vault.OpenForce(p, secret, o.Options)
	}
	switch {
	case errors.Is(err, vault.ErrWrongPassphrase):
		return nil, ErrWrongPass, nil
	case errors.Is(err, vault.ErrNotFound):
		*create = true
		return nil, ErrVaultGone, nil
	case errors.As(err, &ce):
		// The vault's own message says which file and what --force does.
		return nil, Retry(ce.Error() + ". Nothing was changed; see globus-setup --help."), nil
	}
	return v, nil, err
}

func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// readSources reads the passphrase file or command, unless only a typed
// passphrase will do.
func readSources(o UnlockOptions) ([]byte, bool, error) {
	if o.TypedOnly {
		return nil, false, nil
	}
	return vault.ReadPassphrase(o.Sources)
}
