// The bench reads the signing secret from the same stub as the tests.
export { type SecretsManagerStub, startSecretsManagerStub } from '../test/support/secrets-manager-stub';
