package vault

// SourceVariables lead to the vault's key: the passphrase file, the
// passphrase command and an operator's own key. A command globus-setup
// starts (exec) never inherits them: through them it could open the vault
// and read every secret, whatever it was given.
var SourceVariables = []string{EnvPassphraseFile, EnvPassphraseCommand, EnvIdentity}
