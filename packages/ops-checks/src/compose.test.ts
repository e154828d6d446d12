import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '@hookstream/config';
import { SCHEMA_REGISTRY_API_PATH, schemaRegistryEnvironment } from '@hookstream/local-infra';
import {
  bindMounts,
  commandOf,
  environmentOf,
  interpolate,
  isRecord,
  loadComposeFile,
  loadServiceConfigShape,
  publishedTargetPorts,
  readRepoText,
  readRepoYaml,
  repoPath,
  stackFirstMetricsPort,
  stackServices,
  validateAgainstComposeSpec,
  type ComposeService,
} from './index';

const compose = loadComposeFile();
const services = stackServices();
const serviceOf = (name: string): ComposeService => {
  const service = compose.services[name];
  if (!service) throw new Error(`docker-compose.yml has no service "${name}"`);
  return service;
};

interface ScrapeConfig {
  job_name: string;
  static_configs: Array<{ targets: string[] }>;
  relabel_configs?: Array<{ target_label?: string; replacement?: string }>;
}
const scrapeConfigs = (file: string): ScrapeConfig[] => {
  const document = readRepoYaml(file);
  if (!isRecord(document) || !Array.isArray(document.scrape_configs)) throw new Error(`${file}: no scrape_configs`);
  return document.scrape_configs as ScrapeConfig[];
};
const targetsOf = (configs: ScrapeConfig[], job: string) =>
  configs.find((config) => config.job_name === job)?.static_configs.flatMap((group) => group.targets) ?? [];

describe('docker-compose.yml against the Compose specification', () => {
  it('validates against the JSON schema of the Compose specification', () => {
    const result = validateAgainstComposeSpec(compose);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('the validator rejects what Compose would reject', () => {
    expect(validateAgainstComposeSpec({ ...compose, servces: {} }).valid).toBe(false);
    const api = { ...serviceOf('api'), ports: '8080:8080', healthcheck: { interval: 'often' } };
    expect(validateAgainstComposeSpec({ ...compose, services: { ...compose.services, api } }).valid).toBe(false);
  });
});

describe('docker-compose.yml against what the services read', () => {
  it('runs every service of the stack from the image the Dockerfile builds', () => {
    for (const name of services) {
      const service = serviceOf(name);
      expect({ name, command: commandOf(service) }).toEqual({ name, command: ['node', `services/${name}/dist/main.js`] });
      expect(existsSync(repoPath('services', name, 'src', 'main.ts'))).toBe(true);
      expect({ name, image: service.image }).toEqual({ name, image: serviceOf(services[0] as string).image });
      expect(isRecord(service.build) && service.build.dockerfile).toBe('Dockerfile');
    }
    expect(existsSync(repoPath('Dockerfile'))).toBe(true);
  });

  it.each(services.map((name) => [name] as const))('gives %s only variables it reads, with values it accepts', (name) => {
    const shape = loadServiceConfigShape(name);
    const environment = environmentOf(serviceOf(name));
    expect(Object.keys(environment).filter((variable) => !(variable in shape))).toEqual([]);
    // The service's own parser: required variables present, every value valid.
    let problems: unknown[] = [];
    try {
      loadConfig(shape as Parameters<typeof loadConfig>[0], environment);
    } catch (error) {
      problems = error instanceof ConfigError ? [...error.problems] : [String(error)];
    }
    expect(problems).toEqual([]);
  });

  it('sets a variable read by several services to one value in all of them (a shared secret key above all)', () => {
    const readers = new Map<string, string[]>();
    for (const name of services) {
      for (const variable of Object.keys(loadServiceConfigShape(name))) readers.set(variable, [...(readers.get(variable) ?? []), name]);
    }
    const inconsistent = [...readers.entries()].flatMap(([variable, names]) => {
      const values = names.map((name) => environmentOf(serviceOf(name))[variable]);
      const setSomewhere = values.some((value) => value !== undefined);
      return setSomewhere && new Set(values).size > 1 ? [`${variable}: ${names.map((name, i) => `${name}=${values[i] ?? '(unset)'}`).join(' ')}`] : [];
    });
    expect(inconsistent).toEqual([]);
  });

  it('publishes the API port the API listens on', () => {
    const api = serviceOf('api');
    expect(publishedTargetPorts(api)).toContain(Number(environmentOf(api).API_PORT));
  });

  it('points every service at the compose broker and database, with the right credentials', () => {
    const kafka = environmentOf(serviceOf('kafka'));
    const postgres = environmentOf(serviceOf('postgres'));
    const advertised = (kafka.KAFKA_ADVERTISED_LISTENERS ?? '').split(',').map((listener) => listener.replace(/^\w+:\/\//, ''));
    for (const name of [...services, 'migrate']) {
      const environment = environmentOf(serviceOf(name));
      if (name !== 'migrate') {
        for (const broker of (environment.KAFKA_BROKERS ?? '').split(',')) {
          expect({ name, broker, advertised: advertised.includes(broker) }).toEqual({ name, broker, advertised: true });
        }
      }
      const database = new URL(environment.DATABASE_URL ?? '');
      expect({ name, host: database.hostname, port: database.port, user: database.username, password: database.password, db: database.pathname }).toEqual({
        name,
        host: 'postgres',
        port: '5432',
        user: postgres.POSTGRES_USER,
        password: postgres.POSTGRES_PASSWORD,
        db: `/${postgres.POSTGRES_DB}`,
      });
    }
  });

  it('points the router at the compose schema registry, set up as the local one (loopback management, BACKWARD)', () => {
    const registry = serviceOf('schema-registry');
    const settings = environmentOf(registry);
    const url = new URL(environmentOf(serviceOf('router')).SCHEMA_REGISTRY_URL ?? '');
    expect({ host: url.hostname, port: url.port, path: url.pathname }).toEqual({
      host: 'schema-registry',
      port: settings.QUARKUS_HTTP_PORT,
      path: SCHEMA_REGISTRY_API_PATH,
    });
    expect(publishedTargetPorts(registry)).toContain(Number(settings.QUARKUS_HTTP_PORT));
    expect(registry.image).toMatch(/^apicurio\/apicurio-registry:3\./);
    const local = schemaRegistryEnvironment({ port: 8080, managementPort: 9000, dataDir: '/data' });
    expect(settings).toMatchObject({
      QUARKUS_MANAGEMENT_HOST: local.QUARKUS_MANAGEMENT_HOST,
      APICURIO_RULES_GLOBAL_COMPATIBILITY: local.APICURIO_RULES_GLOBAL_COMPATIBILITY,
    });
    // Schemas are stored in the compose broker, which the registry waits for.
    expect(settings.APICURIO_KAFKASQL_BOOTSTRAP_SERVERS).toBe(environmentOf(serviceOf('router')).KAFKA_BROKERS);
    expect(registry.depends_on).toMatchObject({ kafka: { condition: 'service_healthy' } });
  });

  it('waits for the broker, the database and the migration before starting a service', () => {
    for (const name of services) {
      expect({ name, depends_on: serviceOf(name).depends_on }).toMatchObject({
        name,
        depends_on: {
          kafka: { condition: 'service_healthy' },
          postgres: { condition: 'service_healthy' },
          migrate: { condition: 'service_completed_successfully' },
        },
      });
    }
    const [runtime, script] = commandOf(serviceOf('migrate'));
    expect(runtime).toBe('node');
    expect(existsSync(repoPath(script ?? ''))).toBe(true);
    // The runtime image must carry the script: the Dockerfile copies its folder.
    expect(readRepoText('Dockerfile')).toContain(`COPY --from=build /app/${(script ?? '').split('/').slice(0, -1).join('/')} `);
  });

  it('sends traces to the collector, which listens for OTLP/HTTP where they are sent', () => {
    const collector = serviceOf('otel-collector');
    const configMount = bindMounts(collector).find((mount) => mount.source === 'infra/otel-collector/config.yaml');
    expect(commandOf(collector)).toContain(`--config=${configMount?.target}`);
    const config = readRepoYaml('infra/otel-collector/config.yaml') as {
      receivers: { otlp: { protocols: { http: { endpoint: string } } } };
      processors: Record<string, unknown>;
      exporters: Record<string, { endpoint?: string }>;
      service: { pipelines: { traces: { receivers: string[]; processors: string[]; exporters: string[] } } };
    };
    const traces = config.service.pipelines.traces;
    expect(traces.receivers).toContain('otlp');
    // Every component the pipeline names is defined (the collector refuses to start otherwise).
    expect(traces.processors.filter((name) => !(name in config.processors))).toEqual([]);
    expect(traces.exporters.filter((name) => !(name in config.exporters))).toEqual([]);
    const jaeger = new URL(`http://${config.exporters['otlp/jaeger']?.endpoint ?? ''}`);
    expect(serviceOf(jaeger.hostname).image).toMatch(/^jaegertracing\//);
    const receiverPort = config.receivers.otlp.protocols.http.endpoint.split(':').at(-1);
    for (const name of services) {
      const endpoint = new URL(environmentOf(serviceOf(name)).OTEL_EXPORTER_OTLP_ENDPOINT ?? '');
      expect({ name, host: endpoint.hostname, port: endpoint.port }).toEqual({ name, host: 'otel-collector', port: receiverPort });
    }
  });

  it('mounts only files that exist, and names pinned images', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const mount of bindMounts(service)) expect({ name, source: mount.source, exists: existsSync(repoPath(mount.source)) }).toEqual({ name, source: mount.source, exists: true });
      if (!service.build) expect({ name, image: service.image }).toEqual({ name, image: expect.stringMatching(/^[\w./-]+:(?!latest$)[\w.-]+$/) });
    }
    expect(serviceOf('kafka').image).toBe('apache/kafka:4.1.1');
    expect(serviceOf('postgres').image).toBe('postgres:15');
  });

  it('builds a multi-stage image that runs as an unprivileged user, with a health check on the metrics port', () => {
    const dockerfile = readRepoText('Dockerfile');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-slim$/m);
    const user = /^USER (\S+)$/m.exec(dockerfile)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    const imagePort = /METRICS_PORT=(\d+)/.exec(dockerfile)?.[1];
    for (const name of services) expect({ name, port: environmentOf(serviceOf(name)).METRICS_PORT }).toEqual({ name, port: imagePort });
    expect(readRepoText('.dockerignore')).toMatch(/^\*\*\/node_modules$/m);
  });
});

describe('Prometheus scrape configurations', () => {
  it('scrape every compose service by name on the METRICS_PORT it is given, and probe its /readyz', () => {
    const configs = scrapeConfigs('infra/prometheus/prometheus.yml');
    for (const name of services) {
      const port = environmentOf(serviceOf(name)).METRICS_PORT;
      expect({ name, targets: targetsOf(configs, `hookstream-${name}`) }).toEqual({ name, targets: [`${name}:${port}`] });
      expect(targetsOf(configs, 'hookstream-readiness')).toContain(`http://${name}:${port}/readyz`);
    }
    const blackbox = configs.find((config) => config.job_name === 'hookstream-readiness')?.relabel_configs?.find((relabel) => relabel.target_label === '__address__');
    const [host, port] = (blackbox?.replacement ?? '').split(':');
    expect(serviceOf(host ?? '').image).toMatch(/^prom\/blackbox-exporter:/);
    expect(port).toBe('9115');
    const prometheus = serviceOf('prometheus');
    expect(bindMounts(prometheus)).toContainEqual({ source: 'infra/prometheus', target: '/etc/prometheus' });
    expect(commandOf(prometheus)).toContain('--config.file=/etc/prometheus/prometheus.yml');
  });

  it('scrape the local stack on the ports npm start gives the services, in its order', () => {
    const configs = scrapeConfigs('infra/prometheus/prometheus.local.yml');
    const first = stackFirstMetricsPort();
    services.forEach((name, index) => {
      expect({ name, targets: targetsOf(configs, `hookstream-${name}`) }).toEqual({ name, targets: [`127.0.0.1:${first + index}`] });
    });
  });
});

describe('interpolate', () => {
  it('resolves variables as Compose does', () => {
    expect(interpolate('${A:-x}-${B-y}-${C}', {})).toBe('x-y-');
    expect(interpolate('${A:-x}-${B-y}-${C}', { A: '', B: '', C: 'c' })).toBe('x--c');
    expect(interpolate('${A:-x}', { A: 'set' })).toBe('set');
  });
});
