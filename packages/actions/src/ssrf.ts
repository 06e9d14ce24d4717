import { isIPv4, isIPv6 } from 'node:net';

function ipv4ToBytes(ip: string): number[] {
  return ip.split('.').map((p) => Number(p));
}

/** Eight 16-bit groups; handles `::` shortening and a dotted IPv4 tail (`::ffff:127.0.0.1`). */
function ipv6ToGroups(ip: string): number[] {
  let address = ip.split('%')[0] ?? ip;
  const tail = address.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (tail?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4ToBytes(tail[1]);
    address = `${address.slice(0, -tail[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const missing = rest === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) =>
    parseInt(g || '0', 16),
  );
}

function describeIPv4(ip: string): string | undefined {
  const [a = 0, b = 0, c = 0] = ipv4ToBytes(ip);
  if (a === 0) return 'an unspecified ("this network") address';
  if (a === 127) return 'a loopback address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168))
    return 'a private address';
  if (a === 100 && b >= 64 && b <= 127) return 'a carrier-grade NAT address';
  if (a === 169 && b === 254) return 'a link-local address (cloud metadata lives here)';
  if (a === 192 && b === 0 && c === 0) return 'an IETF protocol address';
  if (a === 198 && (b === 18 || b === 19)) return 'a benchmarking address';
  if (a >= 224 && a <= 239) return 'a multicast address';
  if (a >= 240) return 'a reserved or broadcast address';
  return undefined;
}

function describeIPv6(ip: string): string | undefined {
  const g = ipv6ToGroups(ip);
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embeddedV4 = `${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0) {
    if (g5 === 0xffff)
      return (
        describeIPv4(embeddedV4) &&
        `an IPv4-mapped ${describeIPv4(embeddedV4)!.replace(/^an? /, '')}`
      );
    if (g5 === 0 && g6 === 0 && g7 === 0) return 'an unspecified address';
    if (g5 === 0 && g6 === 0 && g7 === 1) return 'a loopback address';
    if (g5 === 0)
      return (
        describeIPv4(embeddedV4) &&
        `an IPv4-compatible ${describeIPv4(embeddedV4)!.replace(/^an? /, '')}`
      );
  }
  // NAT64 (64:ff9b::/96) reaches IPv4 hosts through a translator, so judge the IPv4 inside.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return describeIPv4(embeddedV4) && `a NAT64 ${describeIPv4(embeddedV4)!.replace(/^an? /, '')}`;
  }
  if ((g0 & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((g0 & 0xffc0) === 0xfec0) return 'a site-local address';
  if ((g0 & 0xfe00) === 0xfc00) return 'a unique-local (private) address';
  if ((g0 & 0xff00) === 0xff00) return 'a multicast address';
  return undefined;
}

/** Why a webhook must not reach this address, or undefined when it is a public unicast address. */
export function whyAddressIsBlocked(ip: string): string | undefined {
  if (isIPv4(ip)) return describeIPv4(ip);
  if (isIPv6(ip)) return describeIPv6(ip);
  return 'not an IP address';
}

/** Host as written in the URL, lower-cased, without IPv6 brackets or a trailing dot. */
export function normalizeHost(hostname: string): string {
  return hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}
