import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DebianPackage, DebianRequest } from './debianPackages';
import type { FontFile } from './fontFilter';

/**
 * Debian font packages with Latin digits, small each (about 150 MB together, ~1,600 font files,
 * ~950 kept by the filter). Icon, symbol and CJK packages are not asked for at all; fonts-aenigma
 * was tried and left out: hundreds of display faces, most of whose digits the filter had to drop.
 * The small set is what a test run or a quick look needs.
 */
const SMALL_SET = [
  ...'dejavu-core liberation freefont-ttf urw-base35 crosextra-carlito crosextra-caladea go comic-neue wine'.split(' '),
  // Fonts without digits, kept in the small set so every quick run exercises the filter.
  'gotico-antiqua',
].map((name) => `fonts-${name}`);

const LARGE_SET = [
  ...SMALL_SET,
  ...'dejavu-extra liberation2 texgyre cmu lmodern croscore noto-mono open-sans roboto-unhinted roboto-slab lato cantarell hack inconsolata jetbrains-mono firacode inter karla ebgaramond cardo stix'.split(
    ' ',
  ),
  ...'sil-gentium sil-gentium-basic sil-gentiumplus sil-charis sil-andika sil-doulos linuxlibertine oldstandard vollkorn junicode quattrocento goudybookletter cabin cabinsketch dosis jura play'.split(
    ' ',
  ),
  ...'league-spartan league-mono bebas-neue yanone-kaffeesatz lobster lobstertwo dancingscript kaushanscript leckerli-one comfortaa quicksand sora manrope lemonada arapey averia-gwf averia-sans-gwf'.split(
    ' ',
  ),
  ...'averia-serif-gwf tuffy arkpandora b612 clear-sans mononoki anonymous-pro courier-prime monofur agave 3270 tiresias opendyslexic eurofurence essays1743 dustin uralic yrsa-rasa fanwood'.split(
    ' ',
  ),
  ...'routed-gothic monoid okolaks adf-accanthis adf-baskervald adf-berenis adf-gillius adf-ikarius adf-irianis adf-libris adf-mekanus adf-oldania adf-romande adf-solothurn adf-switzera'.split(
    ' ',
  ),
  ...'adf-tribun adf-universalis adf-verana gfs-artemisia gfs-baskerville gfs-bodoni-classic gfs-didot gfs-neohellenic gfs-porson gfs-solomos gfs-theokritos gfs-complutum gfs-gazis gfs-olga'.split(
    ' ',
  ),
  ...'gfs-didot-classic beteckna blankenburg breip cherrybomb dkg-handwriting f500 femkeklaver humor-sans isabella kristi levien-museum levien-typoscript lindenhill oflb-euterpe prociono'.split(
    ' ',
  ),
  ...'radisnoir rufscript staypuft tomsontalks summersby joscelyn national-park ocr-a ocr-b gnutypewriter century-catalogue ecolier-court ecolier-lignes-court apropal bajaderka'.split(
    ' ',
  ),
  ...'fantasma havana junction allerta opendin ferrite-core triod-postnaja sixtyfour glasstty engadget dclfonts hermit gamaliel roadgeek creep2 proggy atarismall amiga povray campania libfinal'.split(
    ' ',
  ),
  ...'georgewilliams mph-2b-damase oxygen fantasque-sans paratype linex le-murmure karmilla elstob compagnon solide-mirage millimetre rampart noto-core'.split(
    ' ',
  ),
].map((name) => (name.startsWith('fonts-') ? name : `fonts-${name}`));

const FONT_FILE = /\.(ttf|otf)$/i;

function fontPackages(small: boolean): string[] {
  return small ? SMALL_SET : LARGE_SET;
}

/** Where a few packages keep their fonts instead of /usr/share/fonts (TeX's tree, Wine's own folder). */
const FONT_FOLDERS: Record<string, string> = {
  'fonts-texgyre': './usr/share/texmf/fonts/opentype/*',
  'fonts-lmodern': './usr/share/texmf/fonts/opentype/*',
  'fonts-wine': './usr/share/wine/fonts/*',
};

export function fontRequests(small: boolean): DebianRequest[] {
  return fontPackages(small).map((name) => ({ name, paths: [FONT_FOLDERS[name] ?? './usr/share/fonts/*'] }));
}

async function fontFilesUnder(folder: string, origin: string): Promise<FontFile[]> {
  let entries;
  try {
    entries = await fs.readdir(folder, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isFile() && FONT_FILE.test(entry.name))
    .map((entry) => ({ file: path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name), origin }));
}

export async function debianFonts(small: boolean, packages: ReadonlyMap<string, DebianPackage>): Promise<FontFile[]> {
  const fetched = fontPackages(small).flatMap((name) => packages.get(name) ?? []);
  const lists = await Promise.all(fetched.map((found) => fontFilesUnder(path.join(found.root, 'usr/share'), found.name)));
  return lists.flat().sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** The operating system's own font folders, for machines without Debian packages. */
export function systemFontFolders(): string[] {
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return ['/System/Library/Fonts', '/Library/Fonts', path.join(home, 'Library/Fonts')];
    case 'win32': {
      const windows = process.env.WINDIR ?? 'C:\\Windows';
      const local = process.env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local');
      return [path.join(windows, 'Fonts'), path.join(local, 'Microsoft', 'Windows', 'Fonts')];
    }
    default:
      return ['/usr/share/fonts', '/usr/local/share/fonts', path.join(home, '.local/share/fonts'), path.join(home, '.fonts')];
  }
}

export async function systemFonts(): Promise<FontFile[]> {
  const lists = await Promise.all(systemFontFolders().map((folder) => fontFilesUnder(folder, 'system')));
  return lists.flat().sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
