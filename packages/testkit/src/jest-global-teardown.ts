export default async function globalTeardown(): Promise<void> {
  await globalThis.hookstreamTestInfrastructure?.stop();
  globalThis.hookstreamTestInfrastructure = undefined;
}
