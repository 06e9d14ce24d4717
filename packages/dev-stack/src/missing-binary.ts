// Apart from binaries.ts so that the FerretDB source patches (ferretdb-patches.ts) fail with it too.
export type BinaryName = 'temporal' | 'temporal-test-server' | 'ferretdb' | 'postgres';

export class MissingBinaryError extends Error {
  constructor(
    public readonly binary: BinaryName,
    detail: string,
    howToSupply: string,
  ) {
    super(`Cannot get '${binary}': ${detail}\n  How to fix: ${howToSupply}`);
    this.name = 'MissingBinaryError';
  }
}
