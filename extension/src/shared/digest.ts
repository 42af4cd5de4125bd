// SHA-256 of a text, as lowercase hex (WebCrypto): what the clipboard keeps instead of the copied
// text, and what the record of the last vault file keeps of each sealed entry.

export async function sha256Hex(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
