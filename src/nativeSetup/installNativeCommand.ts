/**
 * The palette command that fetches a native TensorFlow backend (src/host/commands/installNativeBackend.ts),
 * as the Command Palette shows it: the trainer's hints name it, and the extension offers it as a
 * button wherever a hint does (package.json's category and title; a unit test keeps them equal).
 */
export const INSTALL_NATIVE_COMMAND = 'KD-UDA: Install Native TensorFlow Backend';
