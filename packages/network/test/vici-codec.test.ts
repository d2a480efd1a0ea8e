import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeMessage,
  decodePacket,
  encodeMessage,
  encodePacket,
  FrameReader,
  PacketType,
  ViciCodecError,
} from '../src/vici/message-codec.js';

describe('VICI message codec', () => {
  it('encodes elements byte for byte as documented', () => {
    const bytes = encodeMessage({ key: 'v', sec: { a: 'b' }, list: ['x', 'yz'] });
    assert.deepEqual(
      [...bytes],
      [
        3,
        3,
        ...Buffer.from('key'),
        0,
        1,
        ...Buffer.from('v'), // KEY_VALUE
        1,
        3,
        ...Buffer.from('sec'),
        3,
        1,
        97,
        0,
        1,
        98,
        2, // SECTION_START .. SECTION_END
        4,
        4,
        ...Buffer.from('list'),
        5,
        0,
        1,
        120,
        5,
        0,
        2,
        121,
        122,
        6, // LIST_START, items, LIST_END
      ],
    );
  });

  it('round-trips nested sections, lists, numbers and booleans', () => {
    const msg = {
      name: 'awcc',
      conn: { version: 2, mobike: false, local: { auth: 'psk' }, ts: ['10.0.0.0/24', '10.1.0.0/24'] },
      empty: [],
    };
    assert.deepEqual(decodeMessage(encodeMessage(msg)), {
      name: 'awcc',
      conn: { version: '2', mobike: 'no', local: { auth: 'psk' }, ts: ['10.0.0.0/24', '10.1.0.0/24'] },
      empty: [],
    });
  });

  it('leaves undefined values out and keeps UTF-8 and binary values', () => {
    const decoded = decodeMessage(encodeMessage({ a: undefined, b: 'é', c: Buffer.from([0x41, 0x42]) }));
    assert.deepEqual(decoded, { b: 'é', c: 'AB' });
  });

  it('frames packets with a 32-bit big-endian length and names the named types', () => {
    const frame = encodePacket({ type: PacketType.CMD_REQUEST, name: 'version' });
    assert.equal(frame.readUInt32BE(0), frame.length - 4);
    assert.deepEqual([...frame.subarray(4)], [0, 7, ...Buffer.from('version')]);
    assert.deepEqual(decodePacket(frame.subarray(4)), {
      type: PacketType.CMD_REQUEST,
      name: 'version',
      message: {},
    });
    const confirm = encodePacket({ type: PacketType.EVENT_CONFIRM });
    assert.deepEqual([...confirm], [0, 0, 0, 1, 5]);
    const event = encodePacket({ type: PacketType.EVENT, name: 'ike-updown', message: { up: 'yes' } });
    assert.deepEqual(decodePacket(event.subarray(4)), {
      type: PacketType.EVENT,
      name: 'ike-updown',
      message: { up: 'yes' },
    });
  });

  it('reassembles packets split and joined across chunks', () => {
    const a = encodePacket({ type: PacketType.CMD_RESPONSE, message: { x: '1' } });
    const b = encodePacket({ type: PacketType.EVENT_CONFIRM });
    const stream = Buffer.concat([a, b]);
    const reader = new FrameReader();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 3) out.push(...reader.push(stream.subarray(i, i + 3)));
    assert.deepEqual(
      out.map((p) => decodePacket(p).type),
      [PacketType.CMD_RESPONSE, PacketType.EVENT_CONFIRM],
    );
  });

  it('rejects malformed input', () => {
    assert.throws(() => decodeMessage(Buffer.from([3, 3, 97])), ViciCodecError);
    assert.throws(() => decodeMessage(Buffer.from([2])), ViciCodecError);
    assert.throws(() => decodeMessage(Buffer.from([1, 1, 97])), ViciCodecError);
    assert.throws(() => decodeMessage(Buffer.from([5, 0, 0])), ViciCodecError);
    assert.throws(() => decodeMessage(Buffer.from([9])), ViciCodecError);
    assert.throws(() => decodePacket(Buffer.from([8])), ViciCodecError);
    assert.throws(() => encodeMessage({ ['k'.repeat(256)]: 'v' }), ViciCodecError);
    assert.throws(() => new FrameReader().push(Buffer.from([0xff, 0, 0, 0])), ViciCodecError);
  });
});
