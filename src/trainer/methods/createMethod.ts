import type { MethodName } from '../../experiment/experiment';
import { createDann } from './dann';
import { createKdMtda } from './kdMtda';
import { createKdStda } from './kdStda';
import type { Method, MethodSetup } from './method';
import { createMtMtda } from './mtMtda';
import { createOnlineKd } from './onlineKd';
import { createSourceOnly } from './sourceOnly';

const methods: Record<MethodName, (setup: MethodSetup) => Method> = {
  'source-only': createSourceOnly,
  dann: createDann,
  'kd-stda': createKdStda,
  'kd-mtda': createKdMtda,
  'mt-mtda': createMtMtda,
  'online-kd': createOnlineKd,
};

export function createMethod(setup: MethodSetup): Method {
  const create = methods[setup.experiment.method.name];
  if (!create) throw new Error(`unknown method "${setup.experiment.method.name}"; known: ${Object.keys(methods).join(', ')}`);
  return create(setup);
}
