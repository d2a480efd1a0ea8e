/** The dashboard graphs what the gateway publishes: the metric names and dimension are the same. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { EMF_METRICS } from '../../gateway/src/telemetry/cloudwatch-emf.js';
import { GATEWAY_METRICS } from '../src/ops-dashboard.js';

it("the gateway's EMF metric names are the dashboard's", () => {
  const { namespace: _namespace, ...names } = GATEWAY_METRICS;
  assert.deepEqual(names, EMF_METRICS);
});
