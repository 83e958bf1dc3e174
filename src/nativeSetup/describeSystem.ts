import type { SystemReport } from './detectSystem';

/** The lines of the report, for an output channel. */
export function describeSystem(report: SystemReport): string[] {
  const { cpu, driver } = report;
  const features = cpu.avx === undefined ? 'feature flags not checked here' : `AVX ${yes(cpu.avx)}, AVX2 ${yes(cpu.avx2)}, AVX-512 ${yes(cpu.avx512f)}`;
  const lines = [
    `System: ${report.platform}-${report.arch}, Node.js ${report.node.version} (N-API ${report.node.napi})`,
    `CPU: ${cpu.model}, ${cpu.cores} logical cores; ${features}`,
    driver.found
      ? `NVIDIA driver ${driver.version}${driver.cudaVersion ? ` (supports CUDA up to ${driver.cudaVersion})` : ''}; GPUs: ${driver.gpus.join(', ')}`
      : `NVIDIA driver: none found (${driver.problem})`,
  ];
  if (report.platform !== 'linux') lines.push('CUDA/cuDNN libraries: not checked on this system (tfjs-node-gpu is built for Linux x64 only)');
  for (const library of report.libraries) lines.push(`  ${library.file} (${library.what}): ${library.path ?? 'not found'}`);
  return lines;
}

function yes(flag: boolean | undefined): string {
  return flag ? 'yes' : 'no';
}

/** Which native build can work here, and why not the other: the summary the command shows. */
export function nativeVerdict(report: SystemReport): { gpu: { usable: boolean; why: string }; cpu: { usable: boolean; why: string } } {
  const has = (file: string) => report.libraries.some((library) => library.file === file && library.path);
  const cpu =
    report.cpu.avx === false
      ? { usable: false, why: 'this CPU lacks AVX, which the prebuilt libtensorflow needs' }
      : { usable: true, why: report.cpu.avx ? 'the CPU has AVX' : 'CPU features not checked' };
  let gpu: { usable: boolean; why: string };
  if (report.platform !== 'linux' || report.arch !== 'x64') gpu = { usable: false, why: `tfjs-node-gpu has no build for ${report.platform}-${report.arch}` };
  else if (!report.driver.found) gpu = { usable: false, why: `no NVIDIA driver (${report.driver.problem})` };
  else if (!has('libcudart.so.11.0') || !has('libcudnn.so.8')) {
    const missing = ['libcudart.so.11.0', 'libcudnn.so.8'].filter((file) => !has(file));
    const newer =
      has('libcudart.so.12') || has('libcudnn.so.9') ? '; CUDA 12 / cuDNN 9 are present, but tfjs-node-gpu 4.22 needs CUDA 11.2 + cuDNN 8.1 beside them' : '';
    gpu = { usable: false, why: `the driver is there, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not found${newer}` };
  } else gpu = { usable: true, why: `NVIDIA driver ${report.driver.version} with CUDA 11 and cuDNN 8 libraries` };
  return { gpu, cpu };
}
