// Types for the icon script's PNG encoder, which tests use to draw their images (tsconfig does not check .mjs files).
export function encodePng(width: number, height: number, colour: 'rgb' | 'rgba', scanlines: Buffer): Buffer;
export function renderIcon(size?: number): Buffer;
export function renderIcns(): Buffer;
