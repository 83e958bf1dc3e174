import { deriveSeed, SeededRandom } from '../data/seededRandom';
import type { Canvas } from './canvasModule';
import type { DigitsSizes, DomainPlan, DomainSource } from './digitsDomain';
import type { LegibleFont } from './fontFilter';

const SIDE = 32;
/** At 70 and 80, blurred digits on a shaded background of a similar hue were hard to read in the montage. */
const MIN_LUMA_CONTRAST = 100;

function luma([r, g, b]: readonly number[]): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

function randomColour(random: SeededRandom): number[] {
  return [random.int(256), random.int(256), random.int(256)];
}

function css([r, g, b]: readonly number[]): string {
  return `rgb(${r},${g},${b})`;
}

/**
 * Digits rendered in many real fonts, the recipe of SynDigits (Ganin & Lempitsky): random
 * background and stroke colours (kept apart in brightness so the digit stays visible), a slight
 * background gradient, random size, rotation, position jitter and blur, and neighbouring digits
 * cut off at the left and right edges as in a house number. The label is the centre digit; every
 * digit drawn is one the font filter found legible in that font.
 */
export function fontDigitsDomain(canvas: Canvas, fonts: readonly LegibleFont[], sources: DomainSource[], sizes: DigitsSizes, seed: number): DomainPlan {
  const families = fonts.map((font, index) => {
    const family = `kd-uda-digits-${index}`;
    if (!canvas.GlobalFonts.registerFromPath(font.file, family))
      throw new Error(`The renderer cannot load ${font.file}, which it loaded while filtering fonts.`);
    return family;
  });
  const fontsFor = Array.from({ length: 10 }, (_, digit) => fonts.flatMap((font, index) => (font.digits.includes(digit) ? [index] : [])));
  const surface = canvas.createCanvas(SIDE, SIDE);
  const context = surface.getContext('2d');
  context.textAlign = 'center';
  context.textBaseline = 'middle';

  return {
    name: 'font-digits',
    description: 'Digits rendered in real fonts with random colours, rotation, scale, blur and neighbouring digits, 32x32 RGB.',
    standsInFor:
      "SynDigits / SynNumbers (Ganin & Lempitsky 2015), rendered from Windows fonts. This is not SynDigits: same recipe, other fonts (Debian's, or the system's).",
    recipe: `Per image: the label digit (classes balanced) in a seeded choice of ${fonts.length} fonts whose glyph for it passed the legibility filter; size 19-30 px, rotation +-15 degrees, jitter +-2 px, Gaussian blur 0-1.2 px, background and stroke colours at least ${MIN_LUMA_CONTRAST}/255 apart in luma, left/right neighbour digits with probability 0.5 each.`,
    imageSize: SIDE,
    channels: 3,
    counts: { train: sizes.train, test: sizes.test },
    sources,
    image: (split, index) => {
      const random = new SeededRandom(deriveSeed(seed, 'font-digits', split, index));
      const label = index % 10;
      const font = random.pick(fontsFor[label]);
      const background = randomColour(random);
      let ink = randomColour(random);
      while (Math.abs(luma(ink) - luma(background)) < MIN_LUMA_CONTRAST) ink = randomColour(random);
      const shade = background.map((value) => Math.max(0, Math.min(255, value + random.int(41) - 20)));

      context.setTransform(1, 0, 0, 1, 0, 0);
      context.filter = 'none';
      const gradient = context.createLinearGradient(0, 0, random.int(2) * SIDE, SIDE);
      gradient.addColorStop(0, css(background));
      gradient.addColorStop(1, css(shade));
      context.fillStyle = gradient;
      context.fillRect(0, 0, SIDE, SIDE);

      const size = random.uniform(19, 30);
      context.font = `${size.toFixed(2)}px "${families[font]}"`;
      context.fillStyle = css(ink);
      context.filter = `blur(${random.uniform(0, 1.2).toFixed(2)}px)`;
      context.translate(SIDE / 2 + random.uniform(-2, 2), SIDE / 2 + random.uniform(-2, 2));
      context.rotate((random.uniform(-15, 15) * Math.PI) / 180);
      const text = String(label);
      const width = context.measureText(text).width;
      context.fillText(text, 0, 0);
      for (const side of [-1, 1]) {
        if (random.next() >= 0.5) continue;
        const neighbour = String(random.pick(fonts[font].digits));
        const gap = size * random.uniform(0.02, 0.15);
        context.fillText(neighbour, side * (width / 2 + gap + context.measureText(neighbour).width / 2), 0);
      }

      const rgba = context.getImageData(0, 0, SIDE, SIDE).data;
      const pixels = new Uint8Array(SIDE * SIDE * 3);
      for (let i = 0; i < SIDE * SIDE; i++) {
        pixels[i * 3] = rgba[i * 4];
        pixels[i * 3 + 1] = rgba[i * 4 + 1];
        pixels[i * 3 + 2] = rgba[i * 4 + 2];
      }
      return { label, pixels, width: SIDE, height: SIDE, channels: 3 };
    },
  };
}
