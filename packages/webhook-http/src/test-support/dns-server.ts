import dgram from 'node:dgram';

/** How the server answers one name. */
export interface NameBehaviour {
  /** IPv4 answers (A). No AAAA answers are given: such a query gets an empty answer. */
  a: string[];
  ttlSeconds?: number;
  /** Hold every query for this name until `release(name)`: a resolver that answers slowly. */
  held?: boolean;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;

/** The question of a query: its name (lower-cased), type, and the bytes it spans. */
function parseQuestion(query: Buffer): { name: string; type: number; end: number } | undefined {
  let offset = 12;
  const labels: string[] = [];
  for (;;) {
    const length = query[offset];
    if (length === undefined) return undefined;
    offset += 1;
    if (length === 0) break;
    labels.push(query.subarray(offset, offset + length).toString('ascii'));
    offset += length;
  }
  if (offset + 4 > query.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: query.readUInt16BE(offset), end: offset + 4 };
}

function answerTo(query: Buffer, question: { end: number; type: number }, behaviour: NameBehaviour | undefined): Buffer {
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // the query's id
  const recursionDesired = (query[2] ?? 0) & 0x01;
  const answers = behaviour && question.type === TYPE_A ? behaviour.a : [];
  // QR, the RD bit echoed, RA; NXDOMAIN for an unknown name.
  header.writeUInt16BE(0x8080 | (recursionDesired << 8) | (behaviour ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const records = answers.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    record.writeUInt16BE(TYPE_A, 2);
    record.writeUInt16BE(1, 4); // IN
    record.writeUInt32BE(behaviour?.ttlSeconds ?? 60, 6);
    record.writeUInt16BE(4, 10);
    Buffer.from(address.split('.').map(Number)).copy(record, 12);
    return record;
  });
  return Buffer.concat([header, query.subarray(12, question.end), ...records]);
}

/**
 * A tiny DNS server on 127.0.0.1 (UDP, a free port) for tests: answers A queries for the
 * names it is told, an empty answer for AAAA, NXDOMAIN for other names; can hold the
 * answers of a name (a slow resolver); counts the queries it received per name and type.
 */
export async function startDnsServer() {
  const socket = dgram.createSocket('udp4');
  const names = new Map<string, NameBehaviour>();
  const held = new Map<string, Array<() => void>>();
  const queries = new Map<string, number>();

  socket.on('message', (query, remote) => {
    const question = parseQuestion(query);
    if (!question) return;
    const typeName = question.type === TYPE_A ? 'A' : question.type === TYPE_AAAA ? 'AAAA' : String(question.type);
    const key = `${question.name} ${typeName}`;
    queries.set(key, (queries.get(key) ?? 0) + 1);
    const behaviour = names.get(question.name);
    const send = () => socket.send(answerTo(query, question, behaviour), remote.port, remote.address);
    if (behaviour?.held) held.set(question.name, [...(held.get(question.name) ?? []), send]);
    else send();
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();

  return {
    /** For Resolver.setServers and WEBHOOK_DNS_SERVERS. */
    server: `127.0.0.1:${port}`,
    answer: (name: string, behaviour: NameBehaviour) => void names.set(name.toLowerCase(), behaviour),
    /** Answers every held query for `name`, and answers it at once from now on. */
    release(name: string) {
      const behaviour = names.get(name);
      if (behaviour) names.set(name, { ...behaviour, held: false });
      for (const send of held.get(name) ?? []) send();
      held.delete(name);
    },
    queriesFor: (name: string, type: 'A' | 'AAAA' = 'A') => queries.get(`${name.toLowerCase()} ${type}`) ?? 0,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

export type DnsServer = Awaited<ReturnType<typeof startDnsServer>>;
