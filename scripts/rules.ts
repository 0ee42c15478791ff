// npm run rules: prints Prometheus alerting rules for the clusters in FULCRUM_CONFIG (and, with
// discovery, the fleet's recording rules).
import { configRulesFile } from '../lib/analysis/rules';
import { ConfigError, loadConfig } from '../lib/config/load';

try {
  const cfg = loadConfig();
  process.stdout.write(configRulesFile(cfg));
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
}
