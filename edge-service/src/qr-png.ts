import QRCode from 'qrcode';

/**
 * Text (an otpauth:// URI, a pairing approve URL) as a QR code in a PNG data URL: panels may lack
 * SVG, and the CSP allows `img-src data:`.
 */
export function qrPng(text: string): Promise<string> {
  return QRCode.toDataURL(text, { type: 'image/png', errorCorrectionLevel: 'M', margin: 2, scale: 4 });
}
