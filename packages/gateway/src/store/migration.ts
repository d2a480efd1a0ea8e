/** One numbered schema change; a backend records each applied version in `schema_migrations`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Run in order, in one transaction with the `schema_migrations` row. */
  readonly statements: readonly string[];
}
