export {
  classifyAddress,
  classifyParsedAddress,
  describeAddressClass,
  hostIsIpLiteral,
  parseIpAddress,
} from './address-class';
export type { AddressClass, IpAddress } from './address-class';
export { cidrContains, formatCidr, parseCidr, parseCidrList } from './cidr';
export type { Cidr } from './cidr';
export { checkAddress, checkWebhookUrl } from './target-check';
export type { AddressCheck, WebhookUrlCheck, WebhookUrlPolicy, WebhookUrlRejection } from './target-check';
