/** The methods of `vru-eval scm`, in --help order (the library's list: src/analyse/scmMethods.ts). Register a method here. */
import type { ScmMethod } from './scmMethods.js';
import { synthMethod } from './scmSynth.js';
import { gsynthMethod } from './scmGsynth.js';
import { sdidMethod } from './scmSdid.js';
import { ascmMethod } from './scmAscm.js';
import { microMethod } from './scmMicro.js';

export const SCM_METHODS: ScmMethod[] = [gsynthMethod, synthMethod, sdidMethod, ascmMethod, microMethod];
