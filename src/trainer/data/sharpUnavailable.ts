import type { InstallContext } from '../installContext';

/**
 * What to do when sharp is neither packaged nor installable because npm is missing, worded for
 * where the trainer runs: the universal .vsix carries no sharp (the platform builds do), a
 * checkout gets it from `npm install`.
 */
export function sharpUnavailableMessage(context: InstallContext, where: { installFolder: string; projectRoot?: string; platform: string }): string {
  const head = `sharp (the image decoder) is not installed, and npm, which would fetch it into ${where.installFolder}, is not on the PATH.`;
  if (context === 'checkout') return `${head} Install Node.js with npm and run \`npm install\` in ${where.projectRoot ?? 'the checkout'}.`;
  return (
    `${head} This is the universal build of KD-UDA Lab, which carries no sharp: install the build for ${where.platform} instead, which does ` +
    `(the Marketplace picks it for you; from a file, \`code --install-extension kd-uda-lab-${where.platform}-<version>.vsix\`), ` +
    'or install Node.js with npm and start the run again.'
  );
}
