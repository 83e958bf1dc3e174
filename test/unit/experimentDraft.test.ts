import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import schema from '../../schemas/experiment.schema.json';
import type { MethodName } from '../../src/experiment/experiment';
import {
  ARCHITECTURES,
  buildExperimentFile,
  experimentNameProblem,
  METHOD_INFO,
  methodUnavailableReason,
  METHODS,
  needsModelFile,
  pathForFile,
  recommendedMethod,
  suggestExperimentName,
} from '../../src/experiment/experimentDraft';
import { validateExperimentText } from '../../src/experiment/validateExperiment';
import { BUILDABLE_ARCHITECTURES } from '../../src/trainer/training/nets';

describe('New Experiment: choices and the file they make', () => {
  it('offers every method and architecture of the schema, asking a model file for those the trainer cannot build by name', () => {
    assert.deepEqual(METHODS, schema.properties.method.properties.name.enum);
    assert.deepEqual(Object.keys(METHOD_INFO).sort(), [...METHODS].sort());
    assert.deepEqual(ARCHITECTURES, schema.definitions.model.properties.architecture.enum);
    assert.deepEqual(
      ARCHITECTURES.filter((architecture) => !needsModelFile(architecture)),
      [...BUILDABLE_ARCHITECTURES],
    );
  });

  it('writes a file that validates with no problems, for every method and a valid target count', () => {
    for (const method of METHODS) {
      const targets = method === 'kd-stda' ? ['webcam'] : ['webcam', 'dslr'];
      const text = buildExperimentFile({
        name: `office-${method}`,
        root: './office31',
        source: 'amazon',
        targets,
        method,
        student: { architecture: 'lenet5' },
        teacher: METHOD_INFO[method].usesTeacher ? { architecture: 'resnet-wide' } : undefined,
      });
      const result = validateExperimentText(text, `/ws/office-${method}.kdexp.json`);
      assert.ok(result.ok, `${method}: ${result.ok ? '' : JSON.stringify(result.problems)}`);
      assert.equal(result.experiment.name, `office-${method}`);
      assert.deepEqual(result.experiment.data.targets, targets);
      assert.equal(result.experiment.method.name, method);
      assert.equal(result.experiment.student.architecture, 'lenet5');
      assert.equal(result.experiment.teacher.architecture, METHOD_INFO[method].usesTeacher ? 'resnet-wide' : schema.properties.teacher.default.architecture);
      assert.equal(
        (JSON.parse(text) as { teacher?: unknown }).teacher !== undefined,
        METHOD_INFO[method].usesTeacher,
        `${method}: a teacher only where the method trains one`,
      );
    }
  });

  it('reads a root’s own train/ and test/ folders when told it has them, and validates', () => {
    const choices = {
      name: 'digits-split',
      root: './digits',
      source: 'mnist',
      targets: ['svhn'],
      method: 'dann',
      student: { architecture: 'lenet5' },
    } as const;
    const text = buildExperimentFile({ ...choices, splitFolders: true });
    const result = validateExperimentText(text, '/ws/digits-split.kdexp.json');
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
    assert.deepEqual((JSON.parse(text) as { data: unknown }).data, { root: './digits', source: 'mnist', targets: ['svhn'], split: { kind: 'folders' } });
    assert.equal((JSON.parse(buildExperimentFile(choices)) as { data: { split?: unknown } }).data.split, undefined, 'no split unless the root has its folders');
  });

  it('writes a saved model with its model.json, and validates', () => {
    const text = buildExperimentFile({
      name: 'office-saved',
      root: './office31',
      source: 'amazon',
      targets: ['webcam'],
      method: 'kd-stda',
      student: { architecture: 'lenet5', path: 'ignored' },
      teacher: { architecture: 'saved', path: './models/resnet50/model.json' },
    });
    const written = JSON.parse(text) as { teacher: unknown; student: unknown };
    assert.deepEqual(written.teacher, { architecture: 'saved', path: './models/resnet50/model.json' });
    assert.deepEqual(written.student, { architecture: 'lenet5' }, 'a path only where the architecture needs one');
    const result = validateExperimentText(text, '/ws/office-saved.kdexp.json');
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
  });

  it('refuses to build a file with a bad name, a teacher method without a teacher, or a saved model without its file', () => {
    const choices = {
      name: 'ok',
      root: '.',
      source: 'a',
      targets: ['b'],
      method: 'kd-stda' as MethodName,
      student: { architecture: 'lenet5' as const },
      teacher: { architecture: 'resnet-small' as const },
    };
    assert.throws(() => buildExperimentFile({ ...choices, name: 'two words' }), /name "two words": Only letters/);
    assert.throws(() => buildExperimentFile({ ...choices, teacher: undefined }), /kd-stda trains a teacher/);
    assert.throws(
      () => buildExperimentFile({ ...choices, student: { architecture: 'saved' } }),
      /student: architecture "saved" needs the path of its model\.json/,
    );
  });

  it('allows kd-stda with exactly one target, and says why not otherwise', () => {
    assert.equal(methodUnavailableReason('kd-stda', 1), undefined);
    assert.match(methodUnavailableReason('kd-stda', 3) ?? '', /exactly one target \(you chose 3\)/);
    for (const method of ['source-only', 'dann', 'kd-mtda', 'mt-mtda'] as const) assert.equal(methodUnavailableReason(method, 3), undefined);
    assert.equal(recommendedMethod(1), 'kd-stda');
    assert.equal(recommendedMethod(2), 'kd-mtda');
  });

  it('checks names against the schema pattern and suggests free, valid ones', () => {
    assert.equal(experimentNameProblem('digits_mt-1.2'), undefined);
    assert.match(experimentNameProblem('') ?? '', /required/);
    assert.match(experimentNameProblem('a/b') ?? '', /pattern/);
    const taken = new Set(['kd-stda-Art-to-Real-World']);
    const name = suggestExperimentName('Art', ['Real World'], 'kd-stda', (candidate) => taken.has(candidate));
    assert.equal(name, 'kd-stda-Art-to-Real-World-2');
    assert.equal(
      suggestExperimentName('mnist', ['a', 'b', 'c'], 'mt-mtda', () => false),
      'mt-mtda-mnist-to-3-targets',
    );
    assert.equal(experimentNameProblem(name), undefined);
  });

  it('writes paths relative to the file inside the project, absolute outside it', () => {
    const project = path.resolve('/ws');
    assert.equal(pathForFile(path.join(project, 'data', 'digits'), project, project), './data/digits');
    assert.equal(pathForFile(path.join(project, 'data'), path.join(project, 'experiments'), project), '../data');
    assert.equal(pathForFile(path.resolve('/datasets/office31'), project, project), path.resolve('/datasets/office31'));
    assert.equal(pathForFile(path.join(project, 'data'), project, undefined), path.join(project, 'data'));
  });
});
