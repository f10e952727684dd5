// `cohort batch` as a stage of a Scala Spark job: RDD.pipe over the Dataset's JSON rows,
// the binary and rules shipped with --files. Run with:
//   spark-shell --master 'local[2]' --files dist/cohort,examples/flags.cohort \
//     --conf spark.driver.args="USERS OUT NOW" -i examples/spark/Pipe.scala
import org.apache.spark.SparkFiles

val Array(users, out, now) = spark.conf.get("spark.driver.args").split(" ")
val command = Seq(SparkFiles.get("cohort"), "batch", SparkFiles.get("flags.cohort"), "-",
  "--jobs", "1", "--now", now, "--on-error", "skip", "--no-progress")
spark.read.option("inferTimestamp", "false").json(users)
  .toJSON.rdd
  .pipe(command)
  .saveAsTextFile(out)
System.exit(0)
