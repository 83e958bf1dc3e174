// Reads selected members out of a .zip (a Python wheel) without unpacking the rest: a TensorFlow
// wheel is ~250 MB packed and ~900 MB unpacked, and only its two shared libraries and the C headers
// are needed. Node has inflate but no zip reader, and `unzip` is not on every machine.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw } from 'node:zlib';

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

/**
 * The members of a zip archive, from its central directory.
 * @returns {Promise<Array<{name: string, method: number, packedSize: number, size: number, localHeaderOffset: number}>>}
 */
export async function listZip(file) {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    // The end record sits in the last 22 bytes plus an optional comment of up to 64 KiB.
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    let end = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === END_OF_DIRECTORY) {
        end = i;
        break;
      }
    }
    if (end < 0) throw new Error(`${file} is not a zip archive (no end-of-directory record)`);
    const entries = tail.readUInt16LE(end + 10);
    const directorySize = tail.readUInt32LE(end + 12);
    const directoryOffset = tail.readUInt32LE(end + 16);
    if (entries === 0xffff || directoryOffset === 0xffffffff) {
      throw new Error(`${file} is a zip64 archive, which this reader does not handle; unpack it with unzip and pass the folder's tarball instead`);
    }
    const directory = Buffer.alloc(directorySize);
    await handle.read(directory, 0, directorySize, directoryOffset);
    const members = [];
    let at = 0;
    for (let i = 0; i < entries; i++) {
      if (directory.readUInt32LE(at) !== DIRECTORY_ENTRY) throw new Error(`${file}: corrupt central directory`);
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      members.push({
        name: directory.toString('utf8', at + 46, at + 46 + nameLength),
        method: directory.readUInt16LE(at + 10),
        packedSize: directory.readUInt32LE(at + 20),
        size: directory.readUInt32LE(at + 24),
        localHeaderOffset: directory.readUInt32LE(at + 42),
      });
      at += 46 + nameLength + extraLength + commentLength;
    }
    return members;
  } finally {
    await handle.close();
  }
}

/** Writes one member of `file` to `destination`, streaming (members can be ~800 MB). */
export async function extractMember(file, member, destination) {
  const handle = await open(file, 'r');
  let dataStart;
  try {
    const header = Buffer.alloc(30);
    await handle.read(header, 0, 30, member.localHeaderOffset);
    if (header.readUInt32LE(0) !== LOCAL_HEADER) throw new Error(`${file}: corrupt entry ${member.name}`);
    dataStart = member.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  } finally {
    await handle.close();
  }
  await mkdir(path.dirname(destination), { recursive: true });
  const source =
    member.packedSize === 0
      ? [] // an empty member: createReadStream with end < start would read to the end of the file
      : createReadStream(file, { start: dataStart, end: dataStart + member.packedSize - 1 });
  if (member.method === 0) {
    await pipeline(source, createWriteStream(destination));
  } else if (member.method === 8) {
    await pipeline(source, createInflateRaw(), createWriteStream(destination));
  } else {
    throw new Error(`${file}: ${member.name} uses compression method ${member.method}, which this reader does not handle`);
  }
}
