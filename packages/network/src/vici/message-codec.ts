/**
 * The VICI wire format (strongSwan's Versatile IKE Control Interface), written from its documentation:
 * a packet is framed by a 32-bit big-endian length, then one byte of packet type, a name for the
 * named types (8-bit length + bytes), and for commands, responses and events a message: a sequence of
 * elements (sections, key/values, lists) with 8-bit name lengths and 16-bit value lengths.
 */

export const PacketType = {
  CMD_REQUEST: 0,
  CMD_RESPONSE: 1,
  CMD_UNKNOWN: 2,
  EVENT_REGISTER: 3,
  EVENT_UNREGISTER: 4,
  EVENT_CONFIRM: 5,
  EVENT_UNKNOWN: 6,
  EVENT: 7,
} as const;
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

export const ElementType = {
  SECTION_START: 1,
  SECTION_END: 2,
  KEY_VALUE: 3,
  LIST_START: 4,
  LIST_ITEM: 5,
  LIST_END: 6,
} as const;

/** A decoded value: a string (UTF-8), a list of strings, or a nested section. */
export type ViciValue = string | string[] | ViciMessage;
export interface ViciMessage {
  [key: string]: ViciValue;
}

/** What may be encoded: numbers and booleans become strings (`yes`/`no`), Buffers are sent as is. */
export type ViciInputValue =
  | string
  | number
  | boolean
  | Buffer
  | readonly (string | number | Buffer)[]
  | ViciInputMessage
  | undefined;
export interface ViciInputMessage {
  readonly [key: string]: ViciInputValue;
}

export interface ViciPacket {
  readonly type: PacketType;
  /** Command or event name, for CMD_REQUEST, EVENT_REGISTER, EVENT_UNREGISTER and EVENT. */
  readonly name?: string;
  /** For CMD_REQUEST, CMD_RESPONSE and EVENT. */
  readonly message?: ViciMessage;
}

/** VICI's limit on one packet. */
export const MAX_PACKET_BYTES = 512 * 1024;

export class ViciCodecError extends Error {
  override name = 'ViciCodecError';
  readonly code = 'VICI_PROTOCOL';
}

const NAMED = new Set<number>([
  PacketType.CMD_REQUEST,
  PacketType.EVENT_REGISTER,
  PacketType.EVENT_UNREGISTER,
  PacketType.EVENT,
]);
const WITH_MESSAGE = new Set<number>([PacketType.CMD_REQUEST, PacketType.CMD_RESPONSE, PacketType.EVENT]);

class Writer {
  private readonly chunks: Buffer[] = [];
  byte(n: number): void {
    this.chunks.push(Buffer.from([n]));
  }
  name(text: string): void {
    const b = Buffer.from(text, 'utf8');
    if (b.length === 0 || b.length > 255) throw new ViciCodecError(`VICI names are 1 to 255 bytes: ${text}`);
    this.byte(b.length);
    this.chunks.push(b);
  }
  value(v: string | number | boolean | Buffer): void {
    const b = Buffer.isBuffer(v)
      ? v
      : Buffer.from(typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v), 'utf8');
    if (b.length > 0xffff) throw new ViciCodecError('VICI values are at most 65535 bytes');
    const len = Buffer.alloc(2);
    len.writeUInt16BE(b.length);
    this.chunks.push(len, b);
  }
  raw(b: Buffer): void {
    this.chunks.push(b);
  }
  done(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Encodes a message's elements (keys in insertion order; undefined values are left out). */
export function encodeMessage(message: ViciInputMessage): Buffer {
  const w = new Writer();
  writeSection(w, message);
  return w.done();
}

function writeSection(w: Writer, message: ViciInputMessage): void {
  for (const [key, value] of Object.entries(message)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      w.byte(ElementType.LIST_START);
      w.name(key);
      for (const item of value as readonly (string | number | Buffer)[]) {
        w.byte(ElementType.LIST_ITEM);
        w.value(item);
      }
      w.byte(ElementType.LIST_END);
    } else if (typeof value === 'object' && !Buffer.isBuffer(value)) {
      w.byte(ElementType.SECTION_START);
      w.name(key);
      writeSection(w, value as ViciInputMessage);
      w.byte(ElementType.SECTION_END);
    } else {
      w.byte(ElementType.KEY_VALUE);
      w.name(key);
      w.value(value as string | number | boolean | Buffer);
    }
  }
}

/** Decodes message elements into nested objects; values as UTF-8 strings. */
export function decodeMessage(buf: Buffer): ViciMessage {
  const root: ViciMessage = {};
  const stack: ViciMessage[] = [root];
  let list: string[] | undefined;
  let i = 0;
  const need = (n: number) => {
    if (i + n > buf.length) throw new ViciCodecError('truncated VICI message');
  };
  const readName = () => {
    need(1);
    const len = buf.readUInt8(i++);
    need(len);
    const s = buf.toString('utf8', i, i + len);
    i += len;
    return s;
  };
  const readValue = () => {
    need(2);
    const len = buf.readUInt16BE(i);
    i += 2;
    need(len);
    const s = buf.toString('utf8', i, i + len);
    i += len;
    return s;
  };
  while (i < buf.length) {
    const type = buf.readUInt8(i++);
    const current = stack[stack.length - 1] as ViciMessage;
    if (list && type !== ElementType.LIST_ITEM && type !== ElementType.LIST_END) {
      throw new ViciCodecError(`element ${type} inside a list`);
    }
    switch (type) {
      case ElementType.SECTION_START: {
        const section: ViciMessage = {};
        current[readName()] = section;
        stack.push(section);
        break;
      }
      case ElementType.SECTION_END:
        if (stack.length === 1) throw new ViciCodecError('SECTION_END without a section');
        stack.pop();
        break;
      case ElementType.KEY_VALUE: {
        const key = readName();
        current[key] = readValue();
        break;
      }
      case ElementType.LIST_START: {
        const items: string[] = [];
        current[readName()] = items;
        list = items;
        break;
      }
      case ElementType.LIST_ITEM:
        if (!list) throw new ViciCodecError('LIST_ITEM outside a list');
        list.push(readValue());
        break;
      case ElementType.LIST_END:
        if (!list) throw new ViciCodecError('LIST_END outside a list');
        list = undefined;
        break;
      default:
        throw new ViciCodecError(`unknown VICI element type ${type}`);
    }
  }
  if (stack.length !== 1 || list) throw new ViciCodecError('unterminated section or list');
  return root;
}

/** A packet with its 32-bit big-endian length prefix. */
export function encodePacket(packet: ViciPacket): Buffer {
  const w = new Writer();
  w.byte(packet.type);
  if (NAMED.has(packet.type)) {
    if (!packet.name) throw new ViciCodecError(`packet type ${packet.type} needs a name`);
    w.name(packet.name);
  }
  if (WITH_MESSAGE.has(packet.type)) w.raw(encodeMessage(packet.message ?? {}));
  const body = w.done();
  if (body.length > MAX_PACKET_BYTES) throw new ViciCodecError('VICI packet too large');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

/** Decodes one packet body (without its length prefix). */
export function decodePacket(body: Buffer): ViciPacket {
  if (body.length < 1) throw new ViciCodecError('empty VICI packet');
  const type = body.readUInt8(0);
  if (type > PacketType.EVENT) throw new ViciCodecError(`unknown VICI packet type ${type}`);
  let i = 1;
  let name: string | undefined;
  if (NAMED.has(type)) {
    if (body.length < 2) throw new ViciCodecError('truncated VICI packet name');
    const len = body.readUInt8(1);
    if (body.length < 2 + len) throw new ViciCodecError('truncated VICI packet name');
    name = body.toString('utf8', 2, 2 + len);
    i = 2 + len;
  }
  const message = WITH_MESSAGE.has(type) ? decodeMessage(body.subarray(i)) : undefined;
  return {
    type: type as PacketType,
    ...(name !== undefined ? { name } : {}),
    ...(message !== undefined ? { message } : {}),
  };
}

/** Splits a byte stream into packets: push chunks, get every complete packet body. */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.buffer.length >= 4) {
      const len = this.buffer.readUInt32BE(0);
      if (len > MAX_PACKET_BYTES) throw new ViciCodecError(`VICI packet of ${len} bytes exceeds the limit`);
      if (this.buffer.length < 4 + len) break;
      out.push(this.buffer.subarray(4, 4 + len));
      this.buffer = this.buffer.subarray(4 + len);
    }
    return out;
  }
}
