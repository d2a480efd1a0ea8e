/** Where secret values come from: env vars, files, or a cloud secrets manager. */
export interface SecretsProvider {
  /** The raw value of the named secret; rejects with MNOGATE_ERR_SECRET_MISSING when there is none. */
  get(name: string): Promise<string>;
}
