import {
  attr,
  decodeIppMessage,
  encodeIppMessage,
  findAttribute,
  v,
  type IppAttribute,
  type IppMessage,
  type IppValue,
} from '../../../simulator/src/fax/ipp-codec.ts';
import { GroupTag } from '../../../simulator/src/fax/ipp-constants.ts';

let nextRequestId = 1;

export async function postIpp(baseUrl: string, body: Buffer): Promise<IppMessage> {
  const res = await fetch(`${baseUrl}/ipp/faxout`, {
    method: 'POST',
    headers: { 'content-type': 'application/ipp' },
    body: new Uint8Array(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return decodeIppMessage(Buffer.from(await res.arrayBuffer()));
}

/** Sends one well-formed request: charset, language and printer-uri first, then `operation`. */
export function ippRequest(
  baseUrl: string,
  code: number,
  operation: IppAttribute[],
  options: {
    job?: IppAttribute[];
    data?: Buffer;
    version?: { major: number; minor: number };
    userName?: string;
  } = {},
): Promise<IppMessage> {
  const printerUri = baseUrl.replace(/^http:/, 'ipp:') + '/ipp/faxout';
  const groups = [
    {
      tag: GroupTag.operation,
      attributes: [
        attr('attributes-charset', v.charset('utf-8')),
        attr('attributes-natural-language', v.naturalLanguage('en')),
        attr('printer-uri', v.uri(printerUri)),
        attr('requesting-user-name', v.name(options.userName ?? 'tester')),
        ...operation,
      ],
    },
    ...(options.job ? [{ tag: GroupTag.job, attributes: options.job }] : []),
  ];
  return postIpp(
    baseUrl,
    encodeIppMessage({
      version: options.version ?? { major: 2, minor: 0 },
      code,
      requestId: nextRequestId++,
      groups,
      data: options.data ?? Buffer.alloc(0),
    }),
  );
}

export function destinationUris(...uris: string[]): IppAttribute {
  return attr('destination-uris', ...uris.map((uri) => v.collection([attr('destination-uri', v.uri(uri))])));
}

/** The attributes of the first group with `tag`. */
export function groupOf(message: IppMessage, tag: number): IppAttribute[] {
  return message.groups.find((g) => g.tag === tag)?.attributes ?? [];
}

export function valuesOf(attributes: IppAttribute[], name: string): IppValue['value'][] {
  return findAttribute(attributes, name)?.values.map((x) => x.value) ?? [];
}

export function valueOf(attributes: IppAttribute[], name: string): IppValue['value'] | undefined {
  return valuesOf(attributes, name)[0];
}

/** Polls until `check` returns a value (not undefined), or throws after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
