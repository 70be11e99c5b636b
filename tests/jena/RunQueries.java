// Runs SPARQL 1.1 SELECT queries with Apache Jena ARQ over the merge of some RDF files, in one JVM, for
// tests/test_jena.py. Usage: java -cp CLASSPATH RunQueries.java OUT_DIR DATA_FILE... -- QUERY_FILE...
// Each QUERY_FILE's answer goes to OUT_DIR/NAME.json (SPARQL JSON results), or its error to OUT_DIR/NAME.error.

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.query.Syntax;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.rdf.model.ModelFactory;
import org.apache.jena.riot.RDFDataMgr;

public class RunQueries {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Model model = ModelFactory.createDefaultModel();
        int i = 1;
        for (; i < args.length && !args[i].equals("--"); i++) {
            RDFDataMgr.read(model, args[i]);
        }
        for (i++; i < args.length; i++) {
            Path file = Path.of(args[i]);
            String name = file.getFileName().toString().replaceFirst("\\.rq$", "");
            try {
                Query query = QueryFactory.create(Files.readString(file), Syntax.syntaxSPARQL_11);
                try (QueryExecution execution = QueryExecutionFactory.create(query, model);
                     OutputStream stream = Files.newOutputStream(out.resolve(name + ".json"))) {
                    ResultSetFormatter.outputAsJSON(stream, execution.execSelect());
                }
            } catch (Exception err) {
                Files.writeString(out.resolve(name + ".error"), String.valueOf(err));
            }
        }
    }
}
