import {
  type AddressClass,
  classifyParsedAddress,
  describeAddressClass,
  parseIpAddress,
} from './address-class';
import { type Cidr, cidrContains } from './cidr';

export type AddressCheck =
  | { allowed: true }
  | { allowed: false; addressClass: Exclude<AddressClass, 'public'>; reason: string };

/**
 * The connect-time rule of docs/webhooks.md "Target safety": a public address is allowed;
 * any other is allowed only if an allowlisted block contains it (tests allow 127.0.0.1/32
 * so that 127.0.0.2 and the like stand in for refused targets). The sender applies this
 * to the address the socket actually connects to, which defeats DNS rebinding.
 */
export function checkAddress(ip: string, allowlist: readonly Cidr[]): AddressCheck {
  const address = parseIpAddress(ip);
  if (address === undefined) {
    return { allowed: false, addressClass: 'invalid', reason: `"${ip}" is not an IP address` };
  }
  const addressClass = classifyParsedAddress(address);
  if (addressClass === 'public' || allowlist.some((cidr) => cidrContains(cidr, address))) {
    return { allowed: true };
  }
  return {
    allowed: false,
    addressClass,
    reason: `${address.toString()} is ${describeAddressClass(addressClass)}, which webhooks may not target`,
  };
}

export interface WebhookUrlPolicy {
  /** Plain http is for local development and tests only (docs/webhooks.md); false by default. */
  allowHttp?: boolean;
  allowlist?: readonly Cidr[];
}

export type WebhookUrlRejection = 'malformed' | 'scheme_not_allowed' | 'credentials' | 'refused_address';

export type WebhookUrlCheck =
  | { ok: true; url: URL }
  | { ok: false; reason: WebhookUrlRejection; message: string };

/**
 * The API-side URL rules of docs/webhooks.md "Target safety": an absolute https URL (http
 * only where allowed), without credentials, and not naming a refused IP literal. The WHATWG
 * URL parser has already turned `http://2130706434/` or `http://0x7f.1/` into 127.0.0.x,
 * so those are caught here too. Host names are not resolved: that is the sender's
 * connect-time check, since DNS answers may change after the URL is saved.
 */
export function checkWebhookUrl(url: string, policy: WebhookUrlPolicy = {}): WebhookUrlCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'malformed', message: 'The webhook URL is not a valid absolute URL' };
  }

  const allowedProtocols = policy.allowHttp === true ? ['https:', 'http:'] : ['https:'];
  if (!allowedProtocols.includes(parsed.protocol)) {
    return {
      ok: false,
      reason: 'scheme_not_allowed',
      message: `The webhook URL must use ${policy.allowHttp === true ? 'https or http' : 'https'}, not ${parsed.protocol.replace(/:$/, '')}`,
    };
  }
  if (parsed.hostname === '') {
    return { ok: false, reason: 'malformed', message: 'The webhook URL has no host' };
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return { ok: false, reason: 'credentials', message: 'The webhook URL must not contain a username or password' };
  }

  if (parseIpAddress(parsed.hostname) !== undefined) {
    const check = checkAddress(parsed.hostname, policy.allowlist ?? []);
    if (!check.allowed) {
      return { ok: false, reason: 'refused_address', message: `The webhook URL host ${check.reason}` };
    }
  }
  return { ok: true, url: parsed };
}
