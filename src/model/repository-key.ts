/** What a `Repository` resolves from: its validated organization and name ('/' form). */
export interface RepositoryKey {
  namespace: string;
  name: string;
}
